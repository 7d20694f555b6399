// Connection arguments on every in-memory list (user roles, directReports, role children, members) and the
// remaining field arguments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byUserName, startGateway, type Gateway } from './harness.ts';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({ sim: { users: 150 }, waitForIndex: true });
});
afterAll(async () => gw?.close());

type Conn = { totalCount: number; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string }; edges: { cursor: string; node: Record<string, string> }[] };
const PAGE = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { KEY } }`;

/** Pages a connection backward with last/before and forward with first/after; both must give the full list. */
async function walk(fetchPage: (args: string, vars: Record<string, unknown>) => Promise<Conn>, key: string) {
  const forward: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Conn = await fetchPage('first: 2, after: $c', { c: after });
    forward.push(...page.edges.map((e) => e.node[key]!));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  const backward: string[][] = [];
  let before: string | null = null;
  for (;;) {
    const page: Conn = await fetchPage('last: 2, before: $c', { c: before });
    backward.unshift(page.edges.map((e) => e.node[key]!));
    if (!page.pageInfo.hasPreviousPage) break;
    before = page.pageInfo.startCursor;
  }
  expect(backward.flat()).toEqual(forward);
  return forward;
}

describe('connection arguments on in-memory lists', () => {
  it('User.roles: first/after and last/before', async () => {
    const sim = gw.sim.data.users.find((u) => u.roles.length >= 5)!;
    const ids = await walk(async (args, vars) => {
      const res = await gw.gql(`query($n: String!, $c: String) { user(userName: $n) { roles(${args}) { ${PAGE.replace('KEY', 'remoteId')} } } }`, { n: sim.userName, ...vars });
      expect(res.errors).toBeUndefined();
      return res.data!.user.roles;
    }, 'remoteId');
    expect([...ids].sort()).toEqual(sim.roles.map((r) => r.roleId).sort());
  });

  it('User.directReports: first/after and last/before', async () => {
    const manager = [...gw.sim.data.users].sort((a, b) => reportsOf(b.id).length - reportsOf(a.id).length)[0]!;
    const names = await walk(async (args, vars) => {
      const res = await gw.gql(`query($n: String!, $c: String) { user(userName: $n) { directReports(${args}) { ${PAGE.replace('KEY', 'userName')} } } }`, { n: manager.userName, ...vars });
      expect(res.errors).toBeUndefined();
      return res.data!.user.directReports;
    }, 'userName');
    expect(names).toEqual(reportsOf(manager.id));
  });

  it('Role.children: first/after and last/before', async () => {
    const parent = [...gw.sim.data.roles].sort((a, b) => childrenOf(b.id) - childrenOf(a.id))[0]!;
    const names = await walk(async (args, vars) => {
      const res = await gw.gql(`query($n: String!, $c: String) { role(name: $n) { children(${args}) { ${PAGE.replace('KEY', 'name')} } } }`, { n: parent.name, ...vars });
      expect(res.errors).toBeUndefined();
      return res.data!.role.children;
    }, 'name');
    expect(names.length).toBe(childrenOf(parent.id));
  });

  it('Role.members: first/after and last/before', async () => {
    const role = gw.sim.data.roles.find((r) => holders(r.id) >= 5 && holders(r.id) <= 30)!;
    const names = await walk(async (args, vars) => {
      const res = await gw.gql(`query($n: String!, $c: String) { role(name: $n) { members(${args}) { ${PAGE.replace('KEY', 'userName')} } } }`, { n: role.name, ...vars });
      expect(res.errors).toBeUndefined();
      return res.data!.role.members;
    }, 'userName');
    expect(names.length).toBe(holders(role.id));
  });

  it('a cursor of one list is rejected by another', async () => {
    const sim = gw.sim.data.users.find((u) => u.roles.length >= 2)!;
    const other = gw.sim.data.users.find((u) => u.roles.length >= 2 && u.id !== sim.id)!;
    const c = (await gw.gql(`query($n: String!) { user(userName: $n) { roles(first: 1) { pageInfo { endCursor } } } }`, { n: sim.userName })).data!.user.roles.pageInfo.endCursor;
    const res = await gw.gql(`query($n: String!, $c: String) { user(userName: $n) { roles(first: 1, after: $c) { totalCount } } }`, { n: other.userName, c });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('field arguments', () => {
  it('attribute(name) rejects names that are not attribute names', async () => {
    const res = await gw.gql(`{ user(userName: "spadmin") { userName bad: attribute(name: "x) or (y") } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.path).toEqual(['user', 'bad']);
    expect(res.data!.user).toEqual({ userName: 'spadmin', bad: null }); // the error nulls only the nullable field
  });

  it('Role descriptions, activation dates and membershipIndex', async () => {
    const role = gw.sim.data.roles.find((r) => r.description)!;
    const res = await gw.gql(`query($n: String!) { role(name: $n) { description descriptions { locale value } activationDate deactivationDate version } membershipIndex { state indexedAt } }`, { n: role.name });
    expect(res.errors).toBeUndefined();
    expect(res.data!.role.descriptions.map((d: { value: string }) => d.value)).toContain(role.description);
    expect(res.data!.membershipIndex.state).toBe('READY');
    expect(Date.parse(res.data!.membershipIndex.indexedAt)).toBeGreaterThan(0);
  });
});

function reportsOf(id: string) {
  return gw.sim.data.users.filter((u) => u.managerId === id).map((u) => u.userName).sort(byUserName);
}
function childrenOf(id: string) {
  return gw.sim.data.roles.filter((r) => r.parentIds.includes(id)).length;
}
function holders(id: string) {
  return gw.sim.data.users.reduce((n, u) => n + u.roles.filter((r) => r.roleId === id).length, 0);
}
