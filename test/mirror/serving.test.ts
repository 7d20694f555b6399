// Serving from the mirror: `X-IIQ-Consistency: mirror` answers user / roles / members / filtered users with no
// upstream request and reports the data's age; role members come from the persistent index; syncStatus; the
// change feed in GraphQL and REST; User.permissions from the access mapping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { IiqClient } from '../../src/iiq/types.ts';
import { AccessMapping } from '../../src/mirror/access.ts';
import { ConnectionMirror } from '../../src/mirror/service.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import { client, startSim, type Sim } from '../iiq/sim.ts';
import { MIRROR_DATABASES, grantRole, startSyncedMirror, type MirrorTestDb } from './harness.ts';

describe.each(MIRROR_DATABASES)('serving from the mirror on $name', ({ make }) => {
  let sim: Sim;
  let iiq: IiqClient;
  let db: MirrorTestDb;
  let store: MirrorStore;
  let mirror: ConnectionMirror;
  let app: App;

  const gql = async (query: string, opts: { mirror?: boolean; variables?: Record<string, unknown> } = {}) => {
    const res = await app.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(opts.mirror ? { 'x-iiq-consistency': 'mirror' } : {}) },
        body: JSON.stringify({ query, variables: opts.variables }),
      }),
    );
    return (await res.json()) as { data?: any; errors?: any[]; extensions?: any };
  };

  beforeAll(async () => {
    ({ sim } = await startSim({ users: 80 }));
    iiq = client(sim.baseUrl);
    db = make();
    store = await db.open();
    mirror = await startSyncedMirror(iiq, store, {
      access: AccessMapping.parse({ rules: [{ role: '*', permissions: ['app:login'] }, { role: '/^(Payroll|HR)/i', permissions: ['payroll:read'] }] }),
    });
    app = createApp({ client: iiq, config: loadConfig({ LOG_LEVEL: 'silent', CACHE: 'off' }), mirror });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await mirror?.stop();
    await store?.close();
    await db?.drop();
    await iiq?.close();
    await sim?.close();
  });

  const USER_QUERY = `query($name: String!) { user(userName: $name) { userName displayName roles(first: 50) { totalCount edges { acquired node { name members(first: 3) { totalCount } } } } } }`;

  it('a mirror read equals the live one, costs no upstream request, and says how old it is', async () => {
    const target = sim.data.users.find((u) => u.roles.length > 1)!;
    const live = await gql(USER_QUERY, { variables: { name: target.userName } });
    sim.requests.reset();
    const mirrored = await gql(USER_QUERY, { mirror: true, variables: { name: target.userName } });
    expect(sim.requests.count()).toBe(0);
    expect(mirrored.errors).toBeUndefined();
    expect(mirrored.data).toEqual(live.data);
    expect(mirrored.extensions.consistency).toMatchObject({ mode: 'MIRROR' });
    expect(mirrored.extensions.consistency.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(live.extensions?.consistency).toBeUndefined();
  });

  it('userName + roles (the access-decision shape) reads only the name and roles columns and equals IIQ', async () => {
    const q = `query($n: String!) { user(userName: $n) { userName roles(first: 50) { totalCount edges { acquired application accountName node { name } } } } }`;
    const target = sim.data.users.find((u) => u.roles.length > 2)!;
    const lookups: { fields: unknown; roles: unknown; got: unknown }[] = [];
    const byNames = store.getUsersByNames.bind(store);
    store.getUsersByNames = async (c, names, shape) => {
      const out = await byNames(c, names, shape);
      lookups.push({ fields: shape?.fields, roles: shape?.includeRoles, got: out[0] });
      return out;
    };
    try {
      for (const name of [target.userName, target.userName.toUpperCase()]) {
        const live = await gql(q, { variables: { n: name } });
        sim.requests.reset();
        const mirrored = await gql(q, { mirror: true, variables: { n: name } });
        expect(sim.requests.count()).toBe(0);
        expect(mirrored.errors).toBeUndefined();
        expect(mirrored.data).toEqual(live.data);
        expect(mirrored.data.user.roles.totalCount).toBe(target.roles.length);
      }
      // the narrow read: no displayName (nor anything else beyond the columns) came back
      expect(lookups[0]).toMatchObject({ fields: ['userName'], roles: true, got: { userName: target.userName, displayName: null, raw: {} } });
      // a selection beyond the columns still reads the whole user
      const wide = await gql(`query($n: String!) { user(userName: $n) { displayName roles(first: 1) { totalCount } } }`, { mirror: true, variables: { n: target.userName } });
      expect(wide.data.user.displayName).toBe(target.displayName);
      expect((lookups.at(-1)!.got as { displayName: string }).displayName).toBe(target.displayName);
    } finally {
      store.getUsersByNames = byNames;
    }
  });

  it('filtered users from the mirror match IIQ', async () => {
    const q = `{ users(first: 50, filter: { familyName: { startsWith: "s" } }) { totalCount edges { node { userName } } } }`;
    const live = await gql(q);
    sim.requests.reset();
    const mirrored = await gql(q, { mirror: true });
    expect(sim.requests.count()).toBe(0);
    expect(mirrored.data).toEqual(live.data);
    expect(mirrored.data.users.totalCount).toBeGreaterThan(0);
  });

  it('users filters on the filter columns run in SQL (one page, no whole-table read) and match IIQ', async () => {
    const u = sim.data.users.find((x) => x.managerId && x.email && x.displayName && x.userName !== 'spadmin')!;
    const manager = sim.data.userById(u.managerId!)!;
    const filters: [string, string][] = [
      ['userName eq (other case)', `{ userName: { eq: ${JSON.stringify(u.userName.toUpperCase())} } }`],
      ['userName startsWith', `{ userName: { startsWith: ${JSON.stringify(u.userName.slice(0, 1).toLowerCase())} } }`],
      ['userName ne', `{ userName: { ne: ${JSON.stringify(u.userName)} } }`],
      ['displayName eq', `{ displayName: { eq: ${JSON.stringify(u.displayName!.toLowerCase())} } }`],
      ['email eq', `{ email: { eq: ${JSON.stringify(u.email!.toUpperCase())} } }`],
      ['email startsWith', `{ email: { startsWith: ${JSON.stringify(u.email!.slice(0, 2))} } }`],
      ['active', `{ active: false }`],
      ['managerId', `{ managerId: ${JSON.stringify(manager.id)} }`],
      ['and / or / not', `{ or: [{ displayName: { startsWith: "j" }, active: true }, { not: { active: true } }, { managerId: ${JSON.stringify(manager.id)} }] }`],
      ['not ne', `{ not: { displayName: { ne: ${JSON.stringify(u.displayName!)} } } }`],
    ];
    const sql = store.queryUsers.bind(store);
    let sqlRuns = 0;
    store.queryUsers = (...args) => (sqlRuns++, sql(...args));
    try {
      for (const [label, filter] of filters) {
        for (const order of ['', ', orderBy: { field: USER_NAME, direction: DESC }']) {
          const q = `{ users(first: 7, filter: ${filter}${order}) { totalCount edges { node { userName displayName active } } pageInfo { hasNextPage endCursor } } }`;
          const live = await gql(q);
          expect(live.errors, label).toBeUndefined();
          sim.requests.reset();
          const before = sqlRuns;
          const mirrored = await gql(q, { mirror: true });
          expect(sim.requests.count(), label).toBe(0);
          expect(sqlRuns, label).toBeGreaterThan(before);
          expect(mirrored.data, label).toEqual(live.data);
          if (!live.data.users.pageInfo.hasNextPage) continue;
          // the next page (startIndex) as well
          const next = q.replace('first: 7', `first: 7, after: ${JSON.stringify(live.data.users.pageInfo.endCursor)}`);
          expect((await gql(next, { mirror: true })).data, label).toEqual((await gql(next)).data);
        }
      }
      expect((await gql(`{ users(first: 0, filter: { active: false }) { totalCount } }`, { mirror: true })).data.users.totalCount).toBe(sim.data.users.filter((x) => x.active === false).length);
      // what the columns cannot answer (contains, givenName, another order) is still filtered in memory, as IIQ does
      const runs = sqlRuns;
      const q = `{ users(first: 5, filter: { displayName: { contains: "a" } }, orderBy: { field: DISPLAY_NAME, direction: ASC }) { totalCount edges { node { userName } } } }`;
      expect((await gql(q, { mirror: true })).data).toEqual((await gql(q)).data);
      expect(sqlRuns).toBe(runs);
    } finally {
      store.queryUsers = sql;
    }
  });

  it('rows written before the filter columns existed get them when the store opens (migration 3)', async () => {
    await store.db.run('UPDATE mirror_users SET name_fold = NULL, display_fold = NULL, emails_fold = NULL, manager_fold = NULL, active = NULL WHERE connection_id = ?', ['default']);
    const q = `{ users(first: 100, filter: { or: [{ active: false }, { userName: { startsWith: "a" } }] }) { totalCount edges { node { userName } } } }`;
    expect((await gql(q, { mirror: true })).data.users.totalCount).toBe(0);
    await store.migrate();
    const live = await gql(q);
    expect(live.data.users.totalCount).toBeGreaterThan(0);
    expect((await gql(q, { mirror: true })).data).toEqual(live.data);
  });

  it('role members come from the persistent index and follow an incremental sync', async () => {
    // a role with few holders, so that every member fits on one page
    const holders = (id: string) => sim.data.users.filter((u) => u.roles.some((r) => r.roleId === id)).length;
    const role = sim.data.roles.find((r) => holders(r.id) > 0 && holders(r.id) < 50)!;
    const q = `query($id: ID!) { node(id: $id) { ... on Role { members(first: 100) { totalCount edges { node { userName } } } } } }`;
    const roleQ = `{ role(name: ${JSON.stringify(role.name)}) { id members(first: 100) { totalCount } } }`;
    const before = (await gql(roleQ)).data.role;
    const expected = new Set(sim.data.users.filter((u) => u.roles.some((r) => r.roleId === role.id)).map((u) => u.id));
    const outsider = sim.data.users.find((u) => !expected.has(u.id))!;
    grantRole(sim, outsider.id, role.id);
    await mirror.runNow('incremental');
    const after = (await gql(q, { variables: { id: before.id } })).data.node.members;
    expect(after.totalCount).toBe(before.members.totalCount + 1);
    expect(after.edges.map((e: any) => e.node.userName)).toContain(outsider.userName);
  });

  it('syncStatus reports the mirror', async () => {
    const res = await gql(`{ syncStatus { enabled state users roles memberships ageSeconds lastCursor fullSyncedAt lastRun { kind status counts } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.syncStatus).toMatchObject({ enabled: true, state: 'READY', users: sim.data.users.length, roles: sim.data.roles.length, lastRun: { kind: 'incremental', status: 'succeeded' } });
  });

  it('the change feed pages forward in cursor order, in GraphQL and REST alike', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: any = await gql(`query($after: String) { changes(first: 40, after: $after, types: [USER_CREATED, MEMBERSHIP_ADDED]) { totalCount edges { cursor node { type objectId } } pageInfo { hasNextPage endCursor } } }`, { variables: { after } });
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.changes.edges.map((e: any) => e.cursor));
      expect(res.data.changes.edges.every((e: any) => ['USER_CREATED', 'MEMBERSHIP_ADDED'].includes(e.node.type))).toBe(true);
      if (!res.data.changes.pageInfo.hasNextPage) break;
      after = res.data.changes.pageInfo.endCursor;
    }
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);

    const rest: string[] = [];
    let cursor = '';
    for (;;) {
      const res = await app.fetch(new Request(`http://gateway.test/unified/user-directory/changes?types=user.created,membership.added&limit=33&cursor=${cursor}`));
      const body = (await res.json()) as any;
      expect(res.status).toBe(200);
      rest.push(...body.result.map((e: any) => e.cursor));
      if (body.result_count === 0) break;
      cursor = body.next_cursor;
    }
    expect(rest).toEqual(seen);
  });

  it('User.permissions resolves the access mapping; the unified REST face serves from the mirror on request', async () => {
    const payroll = sim.data.users.find((u) => u.roles.some((r) => /^(Payroll|HR)/i.test(sim.data.roleById(r.roleId)!.name)))!;
    const res = await gql(`query($n: String!) { user(userName: $n) { permissions } }`, { variables: { n: payroll.userName } });
    expect(res.data.user.permissions).toEqual(['app:login', 'payroll:read']);
    sim.requests.reset();
    const rest = await app.fetch(new Request(`http://gateway.test/unified/user-directory/users/${payroll.id}`, { headers: { 'x-iiq-consistency': 'mirror' } }));
    expect(rest.status).toBe(200);
    expect(rest.headers.get('x-iiq-data-age')).toMatch(/^\d+$/);
    expect(((await rest.json()) as any).username).toBe(payroll.userName);
    expect(sim.requests.count()).toBe(0);
  });

  it('an unknown consistency value is refused', async () => {
    const res = await gql(`{ syncStatus { enabled } }`);
    expect(res.data.syncStatus.enabled).toBe(true);
    const bad = await app.fetch(new Request('http://gateway.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'x-iiq-consistency': 'eventual' }, body: '{"query":"{ syncStatus { enabled } }"}' }));
    const body = (await bad.json()) as any;
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('a scheduled mirror', () => {
  it('becomes ready and reports a fresh age without anyone asking for its status', async () => {
    const { sim } = await startSim({ users: 30 });
    const iiq = client(sim.baseUrl);
    const db = MIRROR_DATABASES[0].make();
    const store = await db.open();
    const mirror = new ConnectionMirror({ live: iiq, store, connectionId: 'default', tenantId: 'default', sync: { incrementalIntervalMs: 40, skewMs: 1000 } });
    try {
      expect(mirror.syncedAt()).toBeNull();
      await mirror.start();
      const deadline = Date.now() + 5000;
      while (!mirror.syncedAt() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const first = mirror.syncedAt()!;
      expect(first).not.toBeNull();
      expect(mirror.index.members(sim.data.roles[0]!.id).indexedAt).toEqual(first);
      while (mirror.syncedAt()!.getTime() === first.getTime() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(mirror.syncedAt()!.getTime()).toBeGreaterThan(first.getTime()); // the incremental runs move it
    } finally {
      await mirror.stop();
      await store.close();
      await db.drop();
      await iiq.close();
      await sim.close();
    }
  });
});
