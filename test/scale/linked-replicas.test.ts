// Linked accounts at scale, as an operator runs it: three gateway processes (`node --import tsx src/server.ts`,
// IIQ_GRAPH_ADMIN_KEY, MIRROR=true) sharing the machine's real PostgreSQL (a database of their own per run, dropped
// afterwards), two tenants each with a connection to a simulator of its own. Every replica opens a mirror for both
// connections; each connection's background work is owned by exactly one replica (its lease; MIRROR_MAX_LEASES=1
// spreads the two connections over two replicas); SIGKILL of an owner in the middle of its full sync → an idle
// replica takes the lease within a bounded time, resumes from the checkpoint, and the mirror equals the simulator.
// Non-owners serve mirror reads from the shared database; a tenant never reads the other tenant's feed.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMirrorStore } from '../../src/mirror/open.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import { PG_URL } from '../connections/databases.ts';
import { client, startSim, type Sim } from '../iiq/sim.ts';
import { liveView, mirrorView } from '../mirror/harness.ts';
import { serverFile, waitUntilListening } from '../support/server-process.ts';
import { sleep, until } from './wait.ts';

const RUN = `${process.pid}_${randomBytes(4).toString('hex')}`;
const DB_NAME = `iiqg_linked_${RUN}`;
const DB_URL = PG_URL.replace(/\/[^/]*$/, `/${DB_NAME}`);
const ADMIN_KEY = `linked-scale-admin-${randomBytes(12).toString('hex')}`;
const USERS_A = 400;
const USERS_B = 120;

interface Replica {
  child: ChildProcessWithoutNullStreams;
  base: string;
  logs: string[];
}

async function startReplica(env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverFile], { env: { ...process.env, ...env } });
  child.stderr.on('data', () => undefined);
  const { url, logs } = await waitUntilListening(child);
  return { child, base: url.replace(/\/graphql$/, ''), logs };
}

const alive = (r: Replica) => r.child.exitCode === null && r.child.signalCode === null;


const entries = (r: Replica) => r.logs.map((l) => JSON.parse(l) as { msg: string; lease?: string; connectionId?: string; kind?: string });
/** replicas whose log says they acquired the connection's lease */
const acquiredBy = (rs: Replica[], connectionId: string) => rs.filter((r) => entries(r).some((e) => e.msg.startsWith('lease acquired') && e.lease === `mirror:${connectionId}`));
/** replicas whose log shows a sync run of the connection */
const syncedBy = (rs: Replica[], connectionId: string) => rs.filter((r) => entries(r).some((e) => e.msg === 'mirror sync run finished' && e.connectionId === connectionId));

async function http(r: Replica, path: string, init: { key?: string; connectionId?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.connectionId) headers['x-connection-id'] = init.connectionId;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${r.base}${path}`, { method: init.body !== undefined ? 'POST' : 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
}

describe('linked accounts: three replicas, two connections, a lease per connection', () => {
  let simA: { sim: Sim; baseUrl: string };
  let simB: { sim: Sim; baseUrl: string };
  let store: MirrorStore;
  let replicas: Replica[] = [];
  const A = { key: '', connectionId: '' };
  const B = { key: '', connectionId: '' };

  beforeAll(async () => {
    // per-item latency with roles: A's full sync in pages of 20 lasts seconds, long enough to kill its owner
    simA = await startSim({ users: USERS_A, seed: 21, latency: { baseMs: 2, perItemRolesMs: 8 } });
    simB = await startSim({ users: USERS_B, seed: 22 });
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
    await admin.end();
    const env = {
      PORT: '0',
      LOG_LEVEL: 'info',
      CACHE: 'off',
      IIQ_GRAPH_ADMIN_KEY: ADMIN_KEY,
      IIQ_GRAPH_SECRET_KEY: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
      IIQ_GRAPH_ALLOWED_HOSTS: '127.0.0.1',
      DATABASE_URL: DB_URL,
      RATE_LIMIT_PER_MINUTE: '0',
      CONNECTION_RATE_LIMIT_PER_MINUTE: '0',
      MIRROR: 'true',
      MIRROR_PAGE_SIZE: '20',
      MIRROR_CONCURRENCY: '1',
      MIRROR_SYNC_INTERVAL: '1',
      MIRROR_LEASE_INTERVAL: '0.5',
      MIRROR_RECONCILE_INTERVAL: '0.5',
      MIRROR_MAX_LEASES: '1',
    };
    // the first replica creates the store's tables; the others start against them
    replicas = [await startReplica(env)];
    replicas.push(...(await Promise.all([1, 2].map(() => startReplica(env)))));
    for (const [t, sim, name] of [[A, simA, 'tenant-a'], [B, simB, 'tenant-b']] as const) {
      const tenant = await http(replicas[0]!, '/admin/tenants', { key: ADMIN_KEY, body: { name } });
      const key = await http(replicas[0]!, `/admin/tenants/${tenant.body.id}/api-keys`, { key: ADMIN_KEY, body: { label: 'scale' } });
      t.key = key.body.key;
      const conn = await http(replicas[1]!, '/api/connections', { key: t.key, body: { label: name, baseUrl: sim.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' } } });
      expect(conn.status).toBe(201);
      t.connectionId = conn.body.id;
    }
    store = await openMirrorStore({ dataDir: '/nonexistent', databaseUrl: DB_URL });
  }, 90_000);

  afterAll(async () => {
    for (const r of replicas) if (alive(r)) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => (alive(r) ? new Promise((res) => r.child.once('exit', res)) : null)));
    await store?.close();
    await simA?.sim.close();
    await simB?.sim.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.end();
  });

  it('each connection is owned and synced by exactly one replica; SIGKILL of an owner mid-sync → another takes over, the mirror equals IIQ', async () => {
    const all = [...replicas];
    const ownerA = await until('an owner of A', async () => acquiredBy(replicas, A.connectionId)[0]);
    const ownerB = await until('an owner of B', async () => acquiredBy(replicas, B.connectionId)[0]);
    expect(acquiredBy(replicas, A.connectionId)).toEqual([ownerA]);
    expect(acquiredBy(replicas, B.connectionId)).toEqual([ownerB]);
    // MIRROR_MAX_LEASES=1: the two connections' work is on two different replicas, the third is idle
    expect(ownerA).not.toBe(ownerB);
    // A's full sync has committed a few batches but is not complete
    const checkpoint = await until('a committed checkpoint of A', async () => (await store.getState(A.connectionId)).fullSync?.after ?? null, 30_000, 20);
    expect((await store.getState(A.connectionId)).fullSyncedAt).toBeNull();
    expect(checkpoint).toBeTruthy();
    const killedAt = Date.now();
    ownerA.child.kill('SIGKILL');
    await new Promise((r) => ownerA.child.once('exit', r));
    const survivors = replicas.filter((r) => r !== ownerA);
    replicas = survivors;
    const next = await until('a new owner of A', async () => acquiredBy(survivors, A.connectionId)[0], 15_000, 20);
    const takeoverMs = Date.now() - killedAt;
    console.log(`linked accounts: lease of connection A taken over ${takeoverMs} ms after SIGKILL of its owner (MIRROR_LEASE_INTERVAL=0.5 s)`);
    expect(takeoverMs).toBeLessThan(5_000);
    // the idle replica took it: B's owner is at its cap
    expect(next).not.toBe(ownerB);
    const state = await until('A\'s full sync to complete', async () => {
      const s = await store.getState(A.connectionId);
      return s.fullSyncedAt ? s : null;
    }, 60_000, 100);
    expect(state.fullSync).toBeNull();
    // the killed owner's run is recorded as interrupted; the new owner's run resumed past the checkpoint
    // (the run is recorded as finished just after the batch that completes the pass)
    const runs = await until('the finished full run', async () => {
      const full = (await store.listRuns(A.connectionId, 50)).filter((r) => r.kind === 'full');
      return full.some((r) => r.status === 'succeeded') ? full : null;
    }, 10_000, 100);
    expect(runs.some((r) => r.status === 'failed' && /interrupted/.test(r.error ?? ''))).toBe(true);
    expect(runs.find((r) => r.status === 'succeeded')!.counts.fetched).toBeLessThan(USERS_A);
    // both mirrors equal what their IIQ says
    for (const [t, sim, n] of [[A, simA, USERS_A], [B, simB, USERS_B]] as const) {
      await until(`full sync of ${t.connectionId}`, async () => (await store.getState(t.connectionId)).fullSyncedAt, 30_000, 100);
      const live = await liveView(client(sim.baseUrl));
      const mirrored = await mirrorView(store, t.connectionId);
      expect(mirrored.users).toHaveLength(n);
      expect(mirrored.users).toEqual(live.users);
      expect(mirrored.roles).toEqual(live.roles);
    }
    // every sync run of a connection came from its owners only (never two replicas at once, never a non-owner)
    expect(syncedBy(survivors, A.connectionId)).toEqual([next]);
    expect(syncedBy(all, B.connectionId)).toEqual([ownerB]);
  }, 120_000);

  it('every replica serves both tenants\' mirrors from PostgreSQL (owner or not), each tenant only its own', async () => {
    const q = JSON.stringify({ query: '{ users(first: 3) { totalCount edges { node { id } } } syncStatus { users state } }' });
    for (const [t, n] of [[A, USERS_A], [B, USERS_B]] as const) {
      const answers = await until(`all replicas serving ${t.connectionId} from the mirror`, async () => {
        const all = await Promise.all(replicas.map(async (r) => {
          const res = await fetch(`${r.base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}`, 'x-iiq-consistency': 'mirror' }, body: q });
          return (await res.json()) as { data?: { users: { totalCount: number }; syncStatus: { users: number } }; errors?: unknown };
        }));
        return all.every((a) => !a.errors && a.data!.syncStatus.users === n) ? all : null;
      }, 15_000, 200);
      // the same page from every replica (the state may say SYNCING on one and READY on another: runs every second)
      for (const a of answers) {
        expect(a.data!.users.totalCount).toBe(n);
        expect(a.data!.users).toEqual(answers[0]!.data!.users);
      }
    }
    // the feed: A's events through any replica; B's connection named with A's key is a 404 everywhere
    for (const r of replicas) {
      const feed = await http(r, '/unified/user-directory/changes?types=user.created&limit=1000', { key: A.key });
      expect(feed.body.result).toHaveLength(USERS_A);
      expect((await http(r, '/unified/user-directory/changes', { key: A.key, connectionId: B.connectionId })).status).toBe(404);
    }
  }, 60_000);
});
