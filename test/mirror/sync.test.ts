// Full and incremental sync against the simulator while its data changes; faults and a restart mid-sync; the
// change feed exactly once, in order. The same suite on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IiqClient } from '../../src/iiq/types.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import { MirrorSync } from '../../src/mirror/sync.ts';
import type { ChangeEvent } from '../../src/mirror/types.ts';
import { client, startSim, type Sim } from '../iiq/sim.ts';
import { grantRole, liveView, MIRROR_DATABASES, mirrorView, revokeRoles, type MirrorTestDb } from './harness.ts';

const CONN = 'conn-1';
const OPTS = { concurrency: 3, pageSize: 25, batchSize: 25, skewMs: 2_000 };

async function allChanges(store: MirrorStore, after = 0): Promise<ChangeEvent[]> {
  const out: ChangeEvent[] = [];
  for (;;) {
    const page = await store.listChanges(CONN, { after, limit: 100 });
    out.push(...page);
    if (page.length < 100) return out;
    after = page[page.length - 1]!.seq;
  }
}

interface SyncFixture {
  sim: Sim;
  iiq: IiqClient;
  db: MirrorTestDb;
  store: MirrorStore;
  close(): Promise<void>;
}

/** A simulator with `users` users, a client on it and an empty mirror store on the suite's database. */
async function openSyncFixture(make: () => MirrorTestDb, users: number): Promise<SyncFixture> {
  const { sim } = await startSim({ users });
  const iiq = client(sim.baseUrl);
  const db = make();
  const store = await db.open();
  return {
    sim, iiq, db, store,
    async close() {
      await store.close();
      await db.drop();
      await iiq.close();
      await sim.close();
    },
  };
}

describe.each(MIRROR_DATABASES)('mirror sync on $name', ({ make }) => {
  let fixture: SyncFixture;
  let sim: Sim;
  let iiq: IiqClient;
  let db: MirrorTestDb;
  let store: MirrorStore;
  beforeAll(async () => void ({ sim, iiq, db, store } = fixture = await openSyncFixture(make, 120)));
  afterAll(() => fixture?.close());

  it('full sync: the mirror equals IIQ; one created event per user, role and membership', async () => {
    const sync = new MirrorSync(iiq, store, CONN, OPTS);
    const [roles, full] = [await sync.run('roles'), await sync.run('full')];
    const live = await liveView(iiq);
    expect(await mirrorView(store, CONN)).toEqual(live);
    expect(full.status).toBe('succeeded');
    expect(full.counts).toMatchObject({ created: live.users.length, deleted: 0 });
    expect(roles.counts.created).toBe(live.roles.length);
    const events = await allChanges(store);
    const edges = live.users.reduce((n, u) => n + new Set(u.roles!.map((r) => `${r.roleId}|${r.acquired}|${r.application}|${r.accountName}`)).size, 0);
    expect(events.filter((e) => e.type === 'user.created')).toHaveLength(live.users.length);
    expect(events.filter((e) => e.type === 'role.created')).toHaveLength(live.roles.length);
    expect(events.filter((e) => e.type === 'membership.added')).toHaveLength(edges);
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    const runs = await store.listRuns(CONN);
    expect(runs.map((r) => [r.kind, r.status])).toEqual([['full', 'succeeded'], ['roles', 'succeeded']]);
  });

  it('incremental sync and the deletion scan follow creates, updates, deletes and role changes exactly once', async () => {
    const sync = new MirrorSync(iiq, store, CONN, OPTS);
    const cursor = await store.lastSeq(CONN);
    // plain identities: deleting an owner, manager or administrator would also change roles / other users
    const referenced = new Set([...sim.data.roles.map((r) => r.ownerId), ...sim.data.users.flatMap((u) => [u.managerId, u.administratorId, u.locationOwner, u.regionOwner])]);
    const users = sim.data.users.filter((u) => u.userName !== 'spadmin' && !referenced.has(u.id) && u.roles.length > 0).slice(0, 8);
    const role = sim.data.roles.find((r) => !users[4]!.roles.some((a) => a.roleId === r.id))!;
    const created = await iiq.createUser({ userName: `mirror.new.${db.kind}`, givenName: 'Mira', familyName: 'Rror', email: 'mira@example.com' });
    await iiq.replaceUser(users[0]!.id, { userName: users[0]!.userName, displayName: 'Renamed Zero', givenName: users[0]!.givenName, familyName: users[0]!.familyName });
    await iiq.replaceUser(users[1]!.id, { userName: users[1]!.userName, displayName: 'Renamed One', givenName: users[1]!.givenName, familyName: users[1]!.familyName });
    await iiq.deleteUser(users[2]!.id);
    await iiq.deleteUser(users[3]!.id);
    grantRole(sim, users[4]!.id, role.id);
    const revokedEdges = sim.data.userById(users[5]!.id)!.roles.length;
    revokeRoles(sim, users[5]!.id);
    sim.requests.reset();
    const inc = await sync.run('incremental');
    const incRequests = sim.requests.count({ method: 'GET', path: '/Users' });
    const del = await sync.run('deletions');
    expect(inc.status).toBe('succeeded');
    expect(incRequests).toBeLessThanOrEqual(2);
    expect(del.counts.deleted).toBe(2);
    expect(await mirrorView(store, CONN)).toEqual(await liveView(iiq));

    const events = await allChanges(store, cursor);
    const key = (e: ChangeEvent) => `${e.type} ${e.objectId}`;
    expect(events.map(key).sort()).toEqual(
      [
        `user.created ${created.id}`,
        `user.updated ${users[0]!.id}`,
        `user.updated ${users[1]!.id}`,
        `user.deleted ${users[2]!.id}`,
        `user.deleted ${users[3]!.id}`,
        `user.updated ${users[4]!.id}`,
        `membership.added ${users[4]!.id}/${role.id}`,
        `user.updated ${users[5]!.id}`,
        ...events.filter((e) => e.type === 'membership.removed').map(key), // checked below
      ].sort(),
    );
    // removals: the revoked user's edges plus the deleted users' edges
    const removed = events.filter((e) => e.type === 'membership.removed');
    expect(removed.filter((e) => e.objectId.startsWith(`${users[5]!.id}/`))).toHaveLength(revokedEdges);
    expect(removed.every((e) => [users[2]!.id, users[3]!.id, users[5]!.id].some((id) => e.objectId.startsWith(`${id}/`)))).toBe(true);
    expect(events.find((e) => e.objectId === users[0]!.id)!.data.changed).toContain('displayName');
    // the skew window re-reads recent users: nothing changed, so no event and no duplicate
    const again = await sync.run('incremental');
    expect(again.counts.created + again.counts.updated).toBe(0);
    expect(await store.lastSeq(CONN)).toBe(events[events.length - 1]!.seq);
  });
});

describe.each(MIRROR_DATABASES)('change feed retention on $name', ({ make }) => {
  it('prunes events older than the retention, never one a webhook delivery still waits for', async () => {
    const { sim } = await startSim({ users: 20 });
    const iiq = client(sim.baseUrl);
    const db = make();
    const store = await db.open();
    try {
      const hook = await store.createWebhook({ tenantId: 't', connectionId: CONN, url: 'http://127.0.0.1:9/never' });
      await new MirrorSync(iiq, store, CONN, OPTS).run('full');
      await store.enqueueDeliveries(hook);
      const pending = await store.pendingDeliveries(hook.id, 1000);
      for (const d of pending.slice(1)) await store.recordAttempt(d.id, { status: 'delivered', responseStatus: 204, error: null, nextAttemptAt: null });
      const total = await store.countChanges(CONN);
      expect(await store.pruneChanges(CONN, new Date(Date.now() - 60_000))).toBe(0);
      expect(await store.pruneChanges(CONN, new Date(Date.now() + 60_000))).toBe(total - 1);
      expect((await store.listChanges(CONN)).map((e) => e.seq)).toEqual([pending[0]!.seq]);
    } finally {
      await store.close();
      await db.drop();
      await iiq.close();
      await sim.close();
    }
  });
});

describe.each(MIRROR_DATABASES)('mirror sync under faults on $name', ({ make }) => {
  let sim: Sim;
  let iiq: IiqClient;
  let db: MirrorTestDb;

  beforeAll(async () => {
    ({ sim } = await startSim({ users: 150 }));
    iiq = client(sim.baseUrl, { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 } });
    db = make();
  });
  afterAll(async () => {
    await db?.drop();
    await iiq?.close();
    await sim?.close();
  });

  it('a failing page stops the run without deleting anything; a restarted process resumes from the checkpoint', async () => {
    let store = await db.open();
    const first = new MirrorSync(iiq, store, CONN, { ...OPTS, concurrency: 2 });
    let batches = 0;
    first.onChanges(() => {
      if (++batches === 2) sim.faults.inject({ type: 'status', status: 500, times: 100, method: 'GET', pathPrefix: '/Users' });
    });
    await expect(first.run('full')).rejects.toThrow(/500/);
    sim.faults.clear();
    const state = await store.getState(CONN);
    expect(state.fullSync?.after).toBeTruthy();
    expect(state.fullSyncedAt).toBeNull();
    const partial = (await store.counts(CONN)).users;
    expect(partial).toBeGreaterThanOrEqual(50);
    expect((await store.listRuns(CONN))[0]).toMatchObject({ kind: 'full', status: 'failed' });
    expect((await allChanges(store)).filter((e) => e.type === 'user.deleted')).toHaveLength(0);

    // "restart": a new store and engine on the same database
    await store.close();
    store = await db.open();
    const second = new MirrorSync(iiq, store, CONN, OPTS);
    sim.requests.reset();
    const resumed = await second.run('full');
    // (a window of the failed run may still land after the reset: look at the resumed walk's first page)
    const firstPage = sim.requests.list().find((r) => r.path === '/Users' && r.query.startIndex === '1');
    expect(firstPage?.query.filter).toBe(`userName gt ${JSON.stringify(state.fullSync!.after)}`);
    expect(resumed.counts.created).toBe(150 - partial);
    const live = await liveView(iiq);
    expect((await mirrorView(store, CONN)).users).toEqual(live.users);
    const created = (await allChanges(store)).filter((e) => e.type === 'user.created').map((e) => e.objectId);
    expect(created).toHaveLength(live.users.length);
    expect(new Set(created).size).toBe(created.length);
    expect((await store.getState(CONN)).fullSync).toBeNull();
    await store.close();
  });

  it('retried upstream faults (503, 429) do not fail a run', async () => {
    const store = await db.open();
    sim.faults.inject({ type: 'status', status: 503, times: 1, method: 'GET', pathPrefix: '/Users' });
    sim.faults.inject({ type: 'rateLimit', times: 1, retryAfter: '0', method: 'GET', pathPrefix: '/Users' });
    const run = await new MirrorSync(iiq, store, CONN, OPTS).run('incremental');
    expect(run.status).toBe('succeeded');
    await store.close();
  });
});

describe.each(MIRROR_DATABASES)('mirror sync while IIQ changes underneath on $name', ({ make }) => {
  let fixture: SyncFixture;
  let sim: Sim;
  let iiq: IiqClient;
  let db: MirrorTestDb;
  let store: MirrorStore;
  beforeAll(async () => void ({ sim, iiq, db, store } = fixture = await openSyncFixture(make, 100)));
  afterAll(() => fixture?.close());

  it('writes during a full sync (creates, updates, deletes, role changes) are caught by the next incremental and deletion runs', async () => {
    const sync = new MirrorSync(iiq, store, CONN, { ...OPTS, concurrency: 2, pageSize: 10, batchSize: 10 });
    const referenced = new Set([...sim.data.roles.map((r) => r.ownerId), ...sim.data.users.flatMap((u) => [u.managerId, u.administratorId, u.locationOwner, u.regionOwner])]);
    const plain = sim.data.users.filter((u) => u.userName !== 'spadmin' && !referenced.has(u.id));
    const early = plain.slice(0, 3); // userName order: walked before the writes
    const late = plain.slice(-3); // walked after
    let batches = 0;
    const writes: Promise<unknown>[] = [];
    sync.onChanges(() => {
      if (++batches !== 3) return;
      writes.push(
        (async () => {
          await iiq.createUser({ userName: 'aaa.created.during', givenName: 'A', familyName: 'During' }); // sorts before the walk position
          await iiq.createUser({ userName: 'zzz.created.during', givenName: 'Z', familyName: 'During' });
          await iiq.replaceUser(early[0]!.id, { userName: early[0]!.userName, displayName: 'Changed Behind The Walk' });
          await iiq.replaceUser(late[0]!.id, { userName: late[0]!.userName, displayName: 'Changed Ahead Of The Walk' });
          await iiq.deleteUser(early[1]!.id);
          await iiq.deleteUser(late[1]!.id);
          grantRole(sim, early[2]!.id, sim.data.roles.find((r) => !early[2]!.roles.some((a) => a.roleId === r.id))!.id);
          revokeRoles(sim, late[2]!.id);
        })(),
      );
    });
    await sync.run('roles');
    await sync.run('full');
    await Promise.all(writes);
    await sync.run('incremental');
    await sync.run('deletions');
    expect(await mirrorView(store, CONN)).toEqual(await liveView(iiq));
    // every user created once, deleted users deleted once
    const events = await allChanges(store);
    const created = events.filter((e) => e.type === 'user.created').map((e) => e.objectId);
    expect(new Set(created).size).toBe(created.length);
    const deleted = events.filter((e) => e.type === 'user.deleted').map((e) => e.objectId);
    expect(deleted.sort()).toEqual([early[1]!.id, late[1]!.id].filter((id) => created.includes(id)).sort());
  });
});
