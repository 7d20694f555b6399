// Linked accounts with many connections on one replica (PostgreSQL): 120 connections, each with its own mirror and
// lease — all the leases held on one PostgreSQL session, never more than MIRROR_MAX_CONCURRENT_SYNCS sync runs at
// once across the connections (checked from the recorded runs), every mirror synced. Start-up time is printed.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../connections/harness.ts';
import { PG_URL, postgresDatabase, type TestDatabase } from '../connections/databases.ts';
import { until } from '../scale/wait.ts';
import { startMirroredLinked, type MirroredLinked } from './linked-gateway.ts';

const CONNECTIONS = 120;
const MAX_SYNCS = 3;

describe(`linked accounts: ${CONNECTIONS} connections on one replica`, () => {
  let sim: Sim;
  let db: TestDatabase;
  let gw: MirroredLinked;
  const ids: string[] = [];

  beforeAll(async () => {
    sim = await startSim({ users: 15, seed: 31 });
    db = postgresDatabase();
    // index polls at the default pace: 120 mirrors polling every 200 ms would be the test's own stampede
    gw = await startMirroredLinked(db, { MIRROR_MAX_CONCURRENT_SYNCS: String(MAX_SYNCS), MIRROR_SYNC_INTERVAL: '30' }, { indexPollMs: 5000 });
    const t = await gw.tenantWithConnection('tenant-many', sim);
    ids.push(t.connectionId);
    for (let i = 1; i < CONNECTIONS; i++) ids.push(await gw.connect(t.key, sim, `c${i}`));
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    await sim?.close();
    await db?.drop();
  });

  it('one lease session holds every lock; sync runs never exceed the per-replica limit; every mirror is synced', async () => {
    const started = Date.now();
    await until('every connection fully synced', async () => {
      const states = await Promise.all(ids.map((id) => gw.mirrorStore.getState(id)));
      return states.every((s) => s.fullSyncedAt);
    }, 120_000, 500);
    console.log(`${CONNECTIONS} linked connections fully synced ${Date.now() - started} ms after the last was created (MIRROR_MAX_CONCURRENT_SYNCS=${MAX_SYNCS})`);
    for (const id of ids) expect((await gw.mirrorStore.counts(id)).users).toBe(15);
    // the locks: all held, by one session
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    const holders = (await c.query(
      `SELECT count(*)::int AS locks, count(DISTINCT l.pid)::int AS sessions FROM pg_locks l JOIN unnest($1::text[]) AS n ON
         l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended('iiq-graph-lease:' || n, 0)`,
      [ids.map((id) => `mirror:${id}`)],
    )).rows[0] as { locks: number; sessions: number };
    await c.end();
    expect(holders).toEqual({ locks: CONNECTIONS, sessions: 1 });
    // the recorded runs of all connections: at no instant more than MAX_SYNCS at once
    const runs = (await Promise.all(ids.map((id) => gw.mirrorStore.listRuns(id, 50)))).flat().filter((r) => r.endedAt);
    const edges = runs.flatMap((r) => [{ t: Date.parse(r.startedAt), d: 1 }, { t: Date.parse(r.endedAt!), d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
    let now = 0;
    let peak = 0;
    for (const e of edges) peak = Math.max(peak, (now += e.d));
    expect(peak).toBeLessThanOrEqual(MAX_SYNCS);
    expect(peak).toBeGreaterThan(1);
    expect(gw.linked.mirrors!.limiter.load().active).toBeLessThanOrEqual(MAX_SYNCS);
  }, 150_000);
});
