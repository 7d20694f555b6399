// End to end: a real Hive Gateway over the composed supergraph (iiq-graph + app-permissions), the simulator
// as IIQ, all over HTTP on 127.0.0.1. Queries cross both subgraphs in both directions; data is checked against
// the simulator's dataset; upstream SCIM requests are counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATIONS } from '../../examples/app-permissions/catalog.ts';
import { HOSTILE_USERS, type SimUser } from '../../simulator/index.ts';
import { encodeGlobalId } from '../../src/graphql/global-id.ts';
import { startGateway, type Gateway } from '../gateway/harness.ts';
import { startSupergraph, type Supergraph } from './harness.ts';

let sg: Supergraph;

beforeAll(async () => {
  sg = await startSupergraph();
});
afterAll(async () => {
  await sg?.close();
});

const simUser = (userName: string): SimUser => {
  const u = sg.iiq.sim.data.userByName(userName);
  if (!u) throw new Error(`no simulated user ${userName}`);
  return u;
};
const roleNamesOf = (u: SimUser) => u.roles.map((a) => sg.iiq.sim.data.roleById(a.roleId)!.name);
/** the mapping applied independently of the example's store: permissions whose granting roles the user holds */
const expectedPermissions = (u: SimUser, application?: string) => {
  const held = new Set(roleNamesOf(u));
  return APPLICATIONS.filter((a) => application === undefined || a.key === application)
    .flatMap((a) => a.permissions)
    .filter((p) => p.grantedBy.some((r) => held.has(r)))
    .map((p) => p.name);
};
const sorted = (list: readonly string[]) => [...list].sort();

describe('from app-permissions into IIQ users and roles', () => {
  it('appUsers -> User (iiq-graph: profile, roles) -> AppPermission -> Role (iiq-graph, by name)', async () => {
    const res = await sg.gql(`query AppUsersWithIdentity {
      appUsers(application: "expenses", first: 50) {
        userName displayName email department
        roles(first: 50) { totalCount edges { acquired node { name } } }
        appPermissions(application: "expenses") { name grantedBy { name displayName type { name } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const users = res.data!.appUsers as any[];
    expect(users.map((u) => u.userName)).toEqual(sg.store.userNames('expenses').slice(0, 50));
    expect(users).toHaveLength(50);
    for (const u of users) {
      const sim = simUser(u.userName);
      expect({ displayName: u.displayName, email: u.email, department: u.department }).toEqual({ displayName: sim.displayName, email: sim.email, department: sim.department });
      expect(u.roles.totalCount).toBe(sim.roles.length);
      expect(sorted(u.roles.edges.map((e: any) => e.node.name))).toEqual(sorted(roleNamesOf(sim)));
      expect(u.appPermissions.map((p: any) => p.name)).toEqual(expectedPermissions(sim, 'expenses'));
      const held = new Set(roleNamesOf(sim));
      for (const p of u.appPermissions) {
        expect(p.grantedBy.some((r: any) => held.has(r.name))).toBe(true);
        for (const r of p.grantedBy) {
          const role = sg.iiq.sim.data.roleByName(r.name)!;
          expect({ displayName: r.displayName, type: r.type?.name }).toEqual({ displayName: role.displayableName, type: role.type });
        }
      }
    }
    // the router went app-permissions -> iiq-graph (_entities by userName) once for 50 users
    const entityCalls = sg.calls.filter((c) => c.subgraph === 'iiq-graph' && c.query.includes('_entities'));
    expect(entityCalls.some((c) => c.variables?.representations?.length === 50 && c.variables.representations.every((r: any) => r.__typename === 'User' && 'userName' in r))).toBe(true);
    expect(entityCalls.some((c) => c.variables?.representations?.every((r: any) => r.__typename === 'Role' && 'name' in r))).toBe(true);
  });

  it('applications -> permissions -> granting roles -> members, back in iiq-graph', async () => {
    const res = await sg.gql(`query WhoCouldApprove {
      productApplication(key: "expenses") {
        name
        permissions { name grantedBy { name members(first: 3) { totalCount edges { node { userName } } } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const approve = res.data!.productApplication.permissions.find((p: any) => p.name === 'expenses.approve');
    const manager = approve.grantedBy.find((r: any) => r.name === 'People Manager');
    const holders = sg.iiq.sim.data.users.filter((u) => roleNamesOf(u).includes('People Manager'));
    expect(manager.members.totalCount).toBe(holders.length);
    expect(manager.members.edges.length).toBe(Math.min(3, holders.length));
    for (const e of manager.members.edges) expect(roleNamesOf(simUser(e.node.userName))).toContain('People Manager');
  });
});

describe('from iiq-graph into app-permissions', () => {
  it('users -> appPermissions (and the manager’s), checked against the role mapping applied to the simulator data', async () => {
    const res = await sg.gql(`query UsersWithAppPermissions {
      users(first: 60) {
        edges { node { userName appPermissions { name application { key name } } manager { userName appPermissions { name } } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const nodes = (res.data!.users.edges as any[]).map((e) => e.node);
    expect(nodes).toHaveLength(60);
    for (const n of nodes) {
      const sim = simUser(n.userName);
      expect(n.appPermissions.map((p: any) => p.name)).toEqual(expectedPermissions(sim));
      for (const p of n.appPermissions) expect(APPLICATIONS.find((a) => a.key === p.application.key)?.name).toBe(p.application.name);
      if (sim.managerId) {
        const manager = sg.iiq.sim.data.userById(sim.managerId)!;
        expect(n.manager.userName).toBe(manager.userName);
        expect(n.manager.appPermissions.map((p: any) => p.name)).toEqual(expectedPermissions(manager));
      } else expect(n.manager).toBeNull();
    }
    // the check can fail both ways: some users hold several permissions, some none
    expect(nodes.some((n) => n.appPermissions.length >= 2)).toBe(true);
    expect(nodes.some((n) => n.appPermissions.length === 0)).toBe(true);
  });

  it('role -> members -> appPermissions', async () => {
    const res = await sg.gql(`{ role(name: "People Manager") { members(first: 10) { edges { node { userName appPermissions(application: "expenses") { name } } } } } }`);
    expect(res.errors).toBeUndefined();
    const members = res.data!.role.members.edges as any[];
    expect(members.length).toBeGreaterThan(0);
    for (const m of members) expect(m.node.appPermissions.map((p: any) => p.name)).toContain('expenses.approve');
  });
});

describe('upstream SCIM requests', () => {
  const measure = async (query: string) => {
    sg.reset();
    const res = await sg.gql(query);
    expect(res.errors).toBeUndefined();
    return { res, users: sg.userRequests(), roles: sg.iiq.sim.requests.count({ method: 'GET', path: /^\/Roles/ }), calls: [...sg.calls] };
  };

  it('50 user references through _entities cost no more than 50 users listed', async () => {
    const fields = 'userName displayName email department jobTitle';
    const listed = await measure(`query Listed { users(first: 50) { edges { node { ${fields} } } } }`);
    const referenced = await measure(`query Referenced { appUsers(first: 50) { ${fields} } }`);
    const listedWithRoles = await measure(`query ListedWithRoles { users(first: 50, after: null) { edges { node { ${fields} roles(first: 5) { edges { node { name } } } } } } }`);
    const referencedWithRoles = await measure(`query ReferencedWithRoles { appUsers(first: 50, application: null) { ${fields} roles(first: 5) { edges { node { name } } } } }`);

    expect(listed.res.data!.users.edges).toHaveLength(50);
    expect(referenced.res.data!.appUsers).toHaveLength(50);
    // every reference was resolved (a null would mean an unmatched userName)
    for (const u of referencedWithRoles.res.data!.appUsers as any[]) expect(u.displayName).toBe(simUser(u.userName).displayName);
    const reps = referenced.calls.filter((c) => c.subgraph === 'iiq-graph').map((c) => c.variables?.representations?.length ?? 0);
    expect(reps).toEqual([50]); // one _entities call carrying the 50 references

    const counts = { listed: listed.users, referenced: referenced.users, listedWithRoles: listedWithRoles.users, referencedWithRoles: referencedWithRoles.users };
    console.info(`[federation] upstream GET /Users requests: ${JSON.stringify(counts)}`);
    expect(listed.users).toBeGreaterThanOrEqual(1);
    expect(referenced.users).toBeGreaterThanOrEqual(1);
    expect(referenced.users).toBeLessThanOrEqual(listed.users);
    expect(referencedWithRoles.users).toBeLessThanOrEqual(listedWithRoles.users);
    // roles come from the role catalog, warm since start
    expect(listedWithRoles.roles + referencedWithRoles.roles).toBe(0);
  });

  it('role references by name are served from the role catalog: no upstream request', async () => {
    const m = await measure('{ productApplications { permissions { grantedBy { name displayName active } } } }');
    const names = (m.res.data!.productApplications as any[]).flatMap((a) => a.permissions.flatMap((p: any) => p.grantedBy.map((r: any) => r.name)));
    expect(names.length).toBeGreaterThan(5);
    expect(m.calls.some((c) => c.subgraph === 'iiq-graph' && c.query.includes('_entities'))).toBe(true);
    expect(m.roles + m.users).toBe(0);
  });
});

describe('headers', () => {
  it('the router forwards Authorization and X-Connection-Id to iiq-graph only', async () => {
    sg.reset();
    const res = await sg.gql('{ appUsers(first: 2) { userName displayName } }', undefined, { authorization: 'Bearer test-api-key', 'x-connection-id': 'acme-prod' });
    expect(res.errors).toBeUndefined();
    const iiq = sg.calls.filter((c) => c.subgraph === 'iiq-graph');
    const example = sg.calls.filter((c) => c.subgraph === 'app-permissions');
    expect(iiq.length).toBeGreaterThan(0);
    expect(example.length).toBeGreaterThan(0);
    for (const c of iiq) expect([c.headers.get('authorization'), c.headers.get('x-connection-id')]).toEqual(['Bearer test-api-key', 'acme-prod']);
    for (const c of example) expect([c.headers.get('authorization'), c.headers.get('x-connection-id')]).toEqual([null, null]);
  });
});

describe('iiq-graph _entities directly', () => {
  const entities = (gw: Gateway, representations: object[]) =>
    gw.gql(`query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on User { userName displayName } ... on Role { name } } }`, { r: representations });

  it('resolves every key, in order; unknown references are null', async () => {
    const [a, b] = sg.iiq.sim.data.users.filter((u) => u.userName.includes('.'));
    const role = sg.iiq.sim.data.roles[0]!;
    const res = await entities(sg.iiq, [
      { __typename: 'User', userName: a!.userName },
      { __typename: 'User', id: encodeGlobalId('User', b!.id) },
      { __typename: 'User', id: b!.id }, // the raw IIQ id is accepted too, like user(id:)
      { __typename: 'User', userName: 'no.such.user' },
      { __typename: 'Role', name: role.name },
      { __typename: 'Role', id: encodeGlobalId('Role', role.id) },
      { __typename: 'Role', name: 'No Such Role' },
    ]);
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([
      { __typename: 'User', userName: a!.userName, displayName: a!.displayName },
      { __typename: 'User', userName: b!.userName, displayName: b!.displayName },
      { __typename: 'User', userName: b!.userName, displayName: b!.displayName },
      null,
      { __typename: 'Role', name: role.name },
      { __typename: 'Role', name: role.name },
      null,
    ]);
  });

  it('userName references with quotes, backslashes, spaces and non-ASCII resolve exactly, in one upstream request', async () => {
    sg.iiq.sim.requests.reset();
    const res = await entities(sg.iiq, HOSTILE_USERS.map((u) => ({ __typename: 'User', userName: u.userName })));
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual(HOSTILE_USERS.map((u) => ({ __typename: 'User', userName: u.userName, displayName: u.displayName })));
    expect(sg.userRequests()).toBe(1);
  });

  it('50 id references cost what nodes(ids:) costs and, with the membership index ready, no more than a listing (id filterable or not)', async () => {
    const idFilterable = await startGateway({ sim: { users: 300, idFilterable: true }, waitForIndex: true });
    try {
      for (const gw of [sg.iiq, idFilterable]) {
        const users = gw.sim.data.users.slice(10, 60);
        const count = async (query: string, variables?: Record<string, unknown>) => {
          gw.sim.requests.reset();
          const res = await gw.gql(query, variables);
          expect(res.errors).toBeUndefined();
          return { res, n: gw.sim.requests.count({ method: 'GET', path: /^\/Users/ }) };
        };
        // displayName and email: more than the membership index knows, so IIQ is asked
        const byIds = await count(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { userName displayName email } } }`, {
          r: users.map((u) => ({ __typename: 'User', id: encodeGlobalId('User', u.id) })),
        });
        expect((byIds.res.data!._entities as any[]).map((e) => e.userName)).toEqual(users.map((u) => u.userName));
        const nodes = await count('query ($ids: [ID!]!) { nodes(ids: $ids) { ... on User { userName displayName email } } }', { ids: users.map((u) => encodeGlobalId('User', u.id)) });
        const listed = await count('{ users(first: 50) { edges { node { userName displayName email } } } }');
        console.info(`[federation] ${gw === sg.iiq ? 'IIQ-like (no id filter)' : 'id-filterable'}: GET /Users for 50 id references ${byIds.n}, nodes(ids:) ${nodes.n}, listing ${listed.n}`);
        expect(byIds.n).toBeGreaterThanOrEqual(1);
        expect(byIds.n).toBeLessThanOrEqual(nodes.n);
        // with the membership index ready, ids become userNames (one anyOf filter), even where id is not filterable
        expect(byIds.n).toBeLessThanOrEqual(listed.n);
        expect(nodes.n).toBeLessThanOrEqual(listed.n);
      }
    } finally {
      await idFilterable.close();
    }
  });
});
