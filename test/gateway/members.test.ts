// Role.members from the membership index; traversal user -> roles -> members -> manager -> directReports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoleMembersDocument } from './__generated__/operations.ts';
import { byUserName, startGateway, type Gateway } from './harness.ts';

describe('membership index', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ sim: { users: 150 }, waitForIndex: true });
  });
  afterAll(async () => gw?.close());

  it('members of a role are exactly the users holding it (one edge per assignment), with indexedAt', async () => {
    const role = [...gw.sim.data.roles].sort((a, b) => holders(gw, b.id).length - holders(gw, a.id).length)[0]!;
    const want = holders(gw, role.id);
    const res = await gw.request(RoleMembersDocument, { name: role.name, first: 100 });
    expect(res.errors).toBeUndefined();
    const m = res.data!.role!.members;
    expect(m.totalCount).toBe(want.length);
    expect(Date.parse(m.indexedAt)).toBeLessThanOrEqual(Date.now());
    const got = m.edges.map((e) => ({ userName: e.node.userName, acquired: e.acquired, application: e.application, accountName: e.accountName }));
    const key = (x: object) => JSON.stringify(x);
    const wanted = new Set(want.map(key));
    for (const g of got) expect(wanted.has(key(g)), key(g)).toBe(true);
    expect(got.map((g) => g.userName)).toEqual(want.map((w) => w.userName).sort(byUserName).slice(0, 100));
    const details = await gw.gql(`query($n: String!) { role(name: $n) { members(first: 100) { edges { node { userName displayName } } } } }`, { n: role.name });
    for (const e of details.data!.role.members.edges) expect(e.node.displayName).toBe(gw.sim.data.userByName(e.node.userName)!.displayName);
  });

  it('members filter by acquired and page with cursors', async () => {
    const sized = gw.sim.data.roles.filter((r) => holders(gw, r.id).length >= 3 && holders(gw, r.id).length <= 100);
    const role = sized.find((r) => holders(gw, r.id).filter((h) => h.acquired === 'DETECTED').length >= 1) ?? sized[0]!;
    const all = holders(gw, role.id);
    const detected = all.filter((h) => h.acquired === 'DETECTED');
    const res = await gw.gql(`query($n: String!) { role(name: $n) {
      detected: members(acquired: DETECTED, first: 100) { totalCount }
      assigned: members(acquired: ASSIGNED, first: 100) { totalCount }
      page: members(first: 2) { pageInfo { endCursor hasNextPage } edges { node { userName } } }
    } }`, { n: role.name });
    expect(res.data!.role.detected.totalCount).toBe(detected.length);
    expect(res.data!.role.assigned.totalCount).toBe(all.length - detected.length);
    const next = await gw.gql(`query($n: String!, $a: String) { role(name: $n) { members(first: 100, after: $a) { edges { node { userName } } } } }`, {
      n: role.name,
      a: res.data!.role.page.pageInfo.endCursor,
    });
    const names = [...res.data!.role.page.edges, ...next.data!.role.members.edges].map((e: any) => e.node.userName);
    expect(names).toHaveLength(all.length);
  });

  it('members with only userName selected need no upstream request', async () => {
    await gw.gql(`{ roles(first: 1) { totalCount } }`);
    const role = gw.sim.data.roles.find((r) => holders(gw, r.id).length > 0)!;
    await gw.gql(`query($id: ID!) { role(id: $id) { name } }`, { id: role.id }); // catalog warm
    gw.sim.requests.reset();
    const res = await gw.gql(`query($id: ID!) { role(id: $id) { members(first: 50) { edges { node { id userName } } } } }`, { id: role.id });
    expect(res.errors).toBeUndefined();
    expect(gw.sim.requests.count()).toBe(0);
  });

  it('traversal: user -> roles -> members -> manager -> directReports', async () => {
    const start = gw.sim.data.users.find((u) => u.roles.length > 0 && u.managerId)!;
    const res = await gw.gql(
      `query($n: String!) { user(userName: $n) { userName roles(first: 5) { edges { node { remoteId name
        members(first: 5) { totalCount edges { node { userName manager { userName directReports(first: 50) { totalCount edges { node { userName } } } } } } }
      } } } } }`,
      { n: start.userName },
    );
    expect(res.errors).toBeUndefined();
    for (const re of res.data!.user.roles.edges) {
      expect(re.node.members.totalCount).toBe(holders(gw, re.node.remoteId).length);
      for (const me of re.node.members.edges) {
        const member = gw.sim.data.userByName(me.node.userName)!;
        expect(member.roles.some((r) => r.roleId === re.node.remoteId)).toBe(true);
        if (!member.managerId) {
          expect(me.node.manager).toBeNull();
          continue;
        }
        const manager = gw.sim.data.userById(member.managerId)!;
        expect(me.node.manager.userName).toBe(manager.userName);
        const reports = gw.sim.data.users.filter((u) => u.managerId === manager.id).map((u) => u.userName).sort(byUserName);
        expect(me.node.manager.directReports.totalCount).toBe(reports.length);
        expect(me.node.manager.directReports.edges.map((e: any) => e.node.userName)).toEqual(reports.slice(0, 50));
      }
    }
  });

  it('with the index ready, owner / manager { userName } cost nothing upstream (userName is immutable in IIQ)', async () => {
    await gw.gql(`{ users(first: 1) { edges { node { roles { edges { node { name } } } } } } }`); // warm catalog
    gw.sim.requests.reset();
    const res = await gw.gql(`{ users(first: 100) { edges { node { userName manager { id userName } roles { edges { node { name owner { userName } } } } } } } }`);
    expect(res.errors).toBeUndefined();
    expect(gw.sim.requests.count()).toBe(1);
    for (const e of res.data!.users.edges) {
      const sim = gw.sim.data.userByName(e.node.userName)!;
      expect(e.node.manager?.userName ?? null).toBe(sim.managerId ? gw.sim.data.userById(sim.managerId)!.userName : null);
      for (const r of e.node.roles.edges) {
        const role = gw.sim.data.roleByName(r.node.name)!;
        expect(r.node.owner?.userName ?? null).toBe(role.ownerId ? gw.sim.data.userById(role.ownerId)!.userName : null);
      }
    }
    // anything beyond id / userName still goes upstream
    gw.sim.requests.reset();
    const more = await gw.gql(`{ users(first: 5) { edges { node { userName manager { displayName version } } } } }`);
    expect(gw.sim.requests.count()).toBeGreaterThan(1);
    for (const e of more.data!.users.edges) {
      const sim = gw.sim.data.userByName(e.node.userName)!;
      if (sim.managerId) expect(e.node.manager).toEqual({ displayName: gw.sim.data.userById(sim.managerId)!.displayName, version: expect.stringMatching(/^W\//) });
    }
  });

  it('membershipIndex reports its state', async () => {
    const res = await gw.gql(`{ membershipIndex { state scannedUsers totalUsers indexedAt } }`);
    expect(res.data!.membershipIndex).toMatchObject({ state: 'READY', scannedUsers: gw.sim.data.users.length, totalUsers: gw.sim.data.users.length });
  });
});

describe('before the index is ready', () => {
  it('members fails with MEMBERSHIP_INDEX_NOT_READY and progress; other fields still resolve', async () => {
    const gw = await startGateway({ sim: { users: 40 }, ready: false });
    try {
      gw.sim.faults.inject({ type: 'delay', delayMs: 1500, times: 1, pathPrefix: '/Users' }); // a slow first scan request
      await gw.app.ready();
      const role = gw.sim.data.roles[0]!;
      const res = await gw.gql(`query($id: ID!) { role(id: $id) { name members { totalCount } } }`, { id: role.id });
      expect(res.errors).toHaveLength(1);
      const err = res.errors![0]!;
      expect(err.extensions!.code).toBe('MEMBERSHIP_INDEX_NOT_READY');
      expect(err.path).toEqual(['role', 'members']);
      expect(err.extensions!.progress).toMatchObject({ state: 'building', scannedUsers: 0 });
      expect(res.data!.role).toBeNull(); // members is non-null, so the role is nulled; the error says why
      await gw.app.membershipReady();
      const after = await gw.gql(`query($id: ID!) { role(id: $id) { name members { totalCount } } }`, { id: role.id });
      expect(after.errors).toBeUndefined();
      expect(after.data!.role.members.totalCount).toBe(holders(gw, role.id).length);
    } finally {
      await gw.close();
    }
  });
});

describe('refresh', () => {
  it('the index is rebuilt on schedule and members report the newer indexedAt', async () => {
    const gw = await startGateway({ sim: { users: 20 }, env: { MEMBERSHIP_INDEX_REFRESH: '1' }, waitForIndex: true });
    try {
      const role = gw.sim.data.roles[0]!;
      const q = `query($id: ID!) { role(id: $id) { members { indexedAt totalCount } } }`;
      const first = (await gw.gql(q, { id: role.id })).data!.role.members;
      await new Promise((r) => setTimeout(r, 1600));
      const second = (await gw.gql(q, { id: role.id })).data!.role.members;
      expect(Date.parse(second.indexedAt)).toBeGreaterThan(Date.parse(first.indexedAt));
      expect(second.totalCount).toBe(first.totalCount);
    } finally {
      await gw.close();
    }
  });
});

describe('without ready()', () => {
  it('the first members request starts the index scan', async () => {
    const gw = await startGateway({ sim: { users: 30 }, ready: false });
    try {
      const role = gw.sim.data.roles[0]!;
      const first = await gw.gql(`query($id: ID!) { role(id: $id) { members { totalCount } } }`, { id: role.id });
      expect(first.errors?.[0]?.extensions?.code).toBe('MEMBERSHIP_INDEX_NOT_READY');
      await gw.app.membershipReady();
      const later = await gw.gql(`query($id: ID!) { role(id: $id) { members { totalCount } } }`, { id: role.id });
      expect(later.data!.role.members.totalCount).toBe(holders(gw, role.id).length);
    } finally {
      await gw.close();
    }
  });
});

function holders(gw: Gateway, roleId: string) {
  return gw.sim.data.users.flatMap((u) =>
    u.roles
      .filter((r) => r.roleId === roleId)
      .map((r) => ({ userName: u.userName, acquired: r.acquired.toUpperCase(), application: r.application ?? null, accountName: r.accountName ?? null })),
  );
}
