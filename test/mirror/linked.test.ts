// Linked accounts with MIRROR=true, in process, on the real PostgreSQL (a schema of its own per run): two tenants,
// each with a connection to a simulator of its own over real HTTP. Each connection gets its own mirror and lease;
// both are synced and equal their IIQ; the feeds, syncStatus, /mirror/status and mirror reads are scoped to the
// caller's connection (another tenant's connection id is a 404); Role.members come from the mirror's persistent
// index with no membership scan of IIQ (the simulator's request log says so); deleting a connection removes its
// mirror rows and its lease.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MirrorStore } from '../../src/mirror/store.ts';
import { ADMIN_KEY, startSim, type Sim } from '../connections/harness.ts';
import { PG_URL, postgresDatabase, sqliteDatabase, type TestDatabase } from '../connections/databases.ts';
import { client } from '../iiq/sim.ts';
import { until } from '../scale/wait.ts';
import { grantRole, liveView, mirrorView } from './harness.ts';
import { startMirroredLinked, type MirroredLinked, type Tenant } from './linked-gateway.ts';

describe('linked accounts: a mirror and a lease per connection (PostgreSQL)', () => {
  let simA: Sim;
  let simB: Sim;
  let db: TestDatabase;
  let gw: MirroredLinked;
  let linked: MirroredLinked['linked'];
  let mirrorStore: MirrorStore;
  let http: MirroredLinked['http'];
  let gql: MirroredLinked['gql'];
  let A: Tenant;
  let B: Tenant;

  beforeAll(async () => {
    simA = await startSim({ users: 60, seed: 11 });
    simB = await startSim({ users: 85, seed: 12 });
    db = postgresDatabase();
    gw = await startMirroredLinked(db, { MIRROR_MAX_CONCURRENT_SYNCS: '1' });
    ({ linked, mirrorStore, http, gql } = gw);
    A = await gw.tenantWithConnection('tenant-a', simA);
    B = await gw.tenantWithConnection('tenant-b', simB);
  }, 30_000);

  afterAll(async () => {
    await gw?.close();
    await simA?.close();
    await simB?.close();
    await db?.drop();
  });

  it('each connection gets its own mirror, lease and sync; both mirrors equal their IIQ', async () => {
    // created after the replica started: found by the next reconcile (or the connection's first request)
    for (const t of [A, B]) {
      const status = await until(`mirror of ${t.connectionId} ready`, async () => {
        const r = await gql(t.key, '{ syncStatus { enabled state } }');
        return r.body.data?.syncStatus.state === 'READY' ? r.body.data.syncStatus : null;
      });
      expect(status.enabled).toBe(true);
    }
    expect(linked.mirrors!.ids().sort()).toEqual([A.connectionId, B.connectionId].sort());
    // one lease per connection, both owned by this (only) replica, on one session
    for (const t of [A, B]) expect(linked.mirrors!.current(t.connectionId)!.lease!.status()).toMatchObject({ name: `mirror:${t.connectionId}`, owner: true });
    const leases = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${db.config.pgSchema}` });
    await leases.connect();
    const rows = (await leases.query('SELECT name, token FROM iiq_graph_leases ORDER BY name')).rows as { name: string; token: string }[];
    expect(rows.map((r) => r.name).sort()).toEqual([`mirror:${A.connectionId}`, `mirror:${B.connectionId}`].sort());
    // both advisory locks are held by one session (the replica's lease session), not a session per connection
    const holders = (await leases.query(
      `SELECT count(*)::int AS locks, count(DISTINCT l.pid)::int AS sessions FROM pg_locks l JOIN unnest($1::text[]) AS n ON
         l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended('iiq-graph-lease:' || n, 0)`,
      [[`mirror:${A.connectionId}`, `mirror:${B.connectionId}`]],
    )).rows[0] as { locks: number; sessions: number };
    expect(holders).toEqual({ locks: 2, sessions: 1 });
    await leases.end();
    for (const [t, sim] of [[A, simA], [B, simB]] as const) {
      await until('full sync complete', async () => (await mirrorStore.getState(t.connectionId)).fullSyncedAt);
      const live = await liveView(client(sim.baseUrl));
      const mirrored = await mirrorView(mirrorStore, t.connectionId);
      expect(mirrored.users).toEqual(live.users);
      expect(mirrored.roles).toEqual(live.roles);
    }
    // MIRROR_MAX_CONCURRENT_SYNCS=1: the two connections' runs never overlapped on this replica
    const runs = [...(await mirrorStore.listRuns(A.connectionId, 100)), ...(await mirrorStore.listRuns(B.connectionId, 100))]
      .filter((r) => r.endedAt)
      .sort((x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt));
    expect(new Set(runs.map((r) => r.kind))).toContain('full');
    for (let i = 1; i < runs.length; i++) expect(Date.parse(runs[i]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(runs[i - 1]!.endedAt!));
    expect((await mirrorView(mirrorStore, A.connectionId)).users).toHaveLength(60);
    expect((await mirrorView(mirrorStore, B.connectionId)).users).toHaveLength(85);
  }, 30_000);

  it('feeds, syncStatus, /mirror/status and mirror reads are scoped to the caller\'s connection', async () => {
    const idsOf = async (sim: Sim) => new Set((await liveView(client(sim.baseUrl))).users.map((u) => u.id));
    const [idsA, idsB] = [await idsOf(simA), await idsOf(simB)];
    // REST change feed: only the caller's connection's events
    const feedA = await http('/unified/user-directory/changes?types=user.created&limit=1000', { key: A.key });
    expect(feedA.status).toBe(200);
    expect(feedA.body.result).toHaveLength(60);
    for (const e of feedA.body.result) expect(idsA.has(e.object_id)).toBe(true);
    const feedB = await http('/unified/user-directory/changes?types=user.created&limit=1000', { key: B.key });
    expect(feedB.body.result).toHaveLength(85);
    for (const e of feedB.body.result) expect(idsB.has(e.object_id)).toBe(true);
    // naming the other tenant's connection: indistinguishable from an unknown id
    expect((await http('/unified/user-directory/changes', { key: A.key, connectionId: B.connectionId })).status).toBe(404);
    expect((await http('/mirror/status', { key: A.key, connectionId: B.connectionId })).status).toBe(404);
    expect((await gql(A.key, '{ changes(first: 5) { totalCount } }', { connectionId: B.connectionId })).status).toBe(404);
    // no key / the admin key: no feed at all
    expect((await http('/unified/user-directory/changes')).status).toBe(401);
    expect((await http('/unified/user-directory/changes', { key: ADMIN_KEY })).status).toBe(403);
    // GraphQL feed and status
    const gA = await gql(A.key, '{ changes(first: 1000, types: [USER_CREATED]) { totalCount edges { node { objectId } } } syncStatus { users } }');
    expect(gA.body.data.changes.totalCount).toBe(60);
    for (const e of gA.body.data.changes.edges) expect(idsA.has(e.node.objectId)).toBe(true);
    expect(gA.body.data.syncStatus.users).toBe(60);
    expect((await gql(B.key, '{ syncStatus { users } }')).body.data.syncStatus.users).toBe(85);
    const st = await http('/mirror/status', { key: B.key });
    expect(st.body).toMatchObject({ connectionId: B.connectionId, users: 85, lease: { name: `mirror:${B.connectionId}`, owner: true } });
    // X-IIQ-Consistency: mirror reads, GraphQL and the unified REST face
    const mirror = { headers: { 'x-iiq-consistency': 'mirror' } };
    const rA = await gql(A.key, '{ users(first: 1) { totalCount } }', mirror);
    expect(rA.body.data.users.totalCount).toBe(60);
    expect(rA.body.extensions.consistency.mode).toBe('MIRROR');
    expect((await gql(B.key, '{ users(first: 1) { totalCount } }', mirror)).body.data.users.totalCount).toBe(85);
    const restB = await http('/unified/user-directory/users?page_size=5', { key: B.key, ...mirror });
    expect(restB.status).toBe(200);
    for (const u of restB.body.result) expect(idsB.has(u.id)).toBe(true);
  }, 30_000);

  it('Role.members come from the mirror: no membership scan of IIQ, same members as IIQ', async () => {
    // the roles simulator A's users hold, counted from its data
    const holders = new Map<string, number>();
    for (const u of (await liveView(client(simA.baseUrl))).users) for (const r of new Set((u.roles ?? []).map((x) => x.roleId))) holders.set(r, (holders.get(r) ?? 0) + 1);
    const [roleId, count] = [...holders].sort((a, b) => b[1] - a[1])[0]!;
    simA.requests.reset();
    const res = await gql(A.key, `{ role(id: "${roleId}") { id members(first: 100) { totalCount edges { node { userName } } } } }`);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.role.members.totalCount).toBe(count);
    expect(res.body.data.role.members.edges).toHaveLength(count);
    // the role itself is read live; the members are not: no /Users listing at all
    expect(simA.requests.count({ method: 'GET', path: /^\/Users/ })).toBe(0);
  }, 30_000);

  it('webhooks per tenant: B\'s endpoint receives only B\'s changes; A cannot see or delete it', async () => {
    const received: { connection_id: string; type: string; object_id?: string; data: Record<string, unknown> }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const hook = await http('/mirror/webhooks', { key: B.key, body: { url, types: ['membership.added'] } });
      expect(hook.status).toBe(201);
      expect((await http('/mirror/webhooks', { key: A.key })).body.result).toEqual([]);
      expect((await http(`/mirror/webhooks/${hook.body.id}`, { key: A.key, method: 'DELETE' })).status).toBe(404);
      // a role granted in B's IIQ: B's owner syncs it and delivers the event to B's endpoint
      const live = await liveView(client(simB.baseUrl));
      const user = live.users.find((u) => u.userName !== 'spadmin')!;
      const role = live.roles.find((r) => !(user.roles ?? []).some((x) => x.roleId === r.id))!;
      grantRole(simB, user.id, role.id);
      await until('the membership event at B\'s endpoint', async () => received.length > 0, 20_000);
      expect(received.every((e) => e.connection_id === B.connectionId && e.type === 'membership.added')).toBe(true);
      expect(received.some((e) => (e.data as { userId?: string }).userId === user.id)).toBe(true);
      expect((await http(`/mirror/webhooks/${hook.body.id}`, { key: B.key, method: 'DELETE' })).status).toBe(204);
    } finally {
      receiver.close();
    }
  }, 30_000);

  it('a connection re-targeted to another IIQ: its mirror is emptied and synced from the new one', async () => {
    const simC = await startSim({ users: 33, seed: 13 });
    try {
      const upd = await http(`/api/connections/${B.connectionId}`, { key: B.key, method: 'PATCH', body: { baseUrl: simC.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' } } });
      expect(upd.status).toBe(200);
      const live = await liveView(client(simC.baseUrl));
      await until('B\'s mirror to equal the new IIQ', async () => {
        const s = await mirrorStore.getState(B.connectionId);
        if (!s.fullSyncedAt) return null;
        const m = await mirrorView(mirrorStore, B.connectionId);
        return m.users.length === 33 ? m : null;
      }, 20_000);
      const mirrored = await mirrorView(mirrorStore, B.connectionId);
      expect(mirrored.users).toEqual(live.users);
      expect(mirrored.roles).toEqual(live.roles);
      // the feed starts over (the old directory's events are gone); members and mirror reads are the new IIQ's
      const feed = await http('/unified/user-directory/changes?types=user.created&limit=1000', { key: B.key });
      expect(feed.body.result).toHaveLength(33);
      const r = await until('mirror reads of the new IIQ', async () => {
        const res = await gql(B.key, '{ users(first: 1) { totalCount } }', { headers: { 'x-iiq-consistency': 'mirror' } });
        return res.body.data?.users.totalCount === 33 ? res : null;
      }, 10_000);
      expect(r.body.errors).toBeUndefined();
      // A's mirror did not move
      expect((await mirrorStore.counts(A.connectionId)).users).toBe(60);
    } finally {
      await simC.close();
    }
  }, 40_000);

  it('deleting a connection removes its mirror rows and its lease; the other tenant\'s mirror is untouched', async () => {
    const del = await http(`/api/connections/${A.connectionId}`, { key: A.key, method: 'DELETE' });
    expect([200, 204]).toContain(del.status);
    expect(linked.mirrors!.ids()).toEqual([B.connectionId]);
    expect((await mirrorStore.counts(A.connectionId)).users).toBe(0);
    expect(await mirrorStore.listChanges(A.connectionId, { limit: 1 })).toHaveLength(0);
    const leases = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${db.config.pgSchema}` });
    await leases.connect();
    const names = ((await leases.query('SELECT name FROM iiq_graph_leases')).rows as { name: string }[]).map((r) => r.name);
    await leases.end();
    expect(names).toEqual([`mirror:${B.connectionId}`]);
    expect((await mirrorStore.counts(B.connectionId)).users).toBe(33);
    expect((await gql(B.key, '{ syncStatus { state users } }')).body.data.syncStatus).toEqual({ state: expect.stringMatching(/READY|SYNCING/), users: 33 });
  }, 30_000);
});

describe('linked accounts: a mirror per connection on SQLite (one process owns the work, no lease)', () => {
  let sim: Sim;
  let db: TestDatabase;
  let gw: MirroredLinked;
  let T: Tenant;

  beforeAll(async () => {
    sim = await startSim({ users: 40, seed: 14 });
    db = sqliteDatabase();
    gw = await startMirroredLinked(db);
    T = await gw.tenantWithConnection('tenant-s', sim);
  }, 30_000);

  afterAll(async () => {
    await gw?.close();
    await sim?.close();
    await db?.drop();
  });

  it('synced without a lease, equal to IIQ, members from the mirror; deleting the connection removes its rows', async () => {
    await until('mirror ready', async () => (await gw.gql(T.key, '{ syncStatus { state } }')).body.data?.syncStatus.state === 'READY');
    expect(gw.mirrorStore.kind).toBe('sqlite');
    expect(gw.linked.mirrors!.current(T.connectionId)!.lease).toBeNull();
    const live = await liveView(client(sim.baseUrl));
    expect((await mirrorView(gw.mirrorStore, T.connectionId)).users).toEqual(live.users);
    const role = live.roles.find((r) => live.users.some((u) => (u.roles ?? []).some((x) => x.roleId === r.id)))!;
    sim.requests.reset();
    const res = await gw.gql(T.key, `{ role(id: "${role.id}") { members(first: 100) { totalCount } } }`);
    expect(res.body.data.role.members.totalCount).toBe(live.users.filter((u) => (u.roles ?? []).some((x) => x.roleId === role.id)).length);
    expect(sim.requests.count({ method: 'GET', path: /^\/Users/ })).toBe(0);
    expect([200, 204]).toContain((await gw.http(`/api/connections/${T.connectionId}`, { key: T.key, method: 'DELETE' })).status);
    expect(gw.linked.mirrors!.ids()).toEqual([]);
    expect((await gw.mirrorStore.counts(T.connectionId)).users).toBe(0);
  }, 30_000);
});
