// Scale-out as an operator runs it: three gateway processes (`node --import tsx src/server.ts`, PORT=0) sharing
// the machine's real PostgreSQL (a database of their own per run, dropped afterwards) and Redis (a key prefix of
// their own per run), one simulator. Reads spread across them agree; a write through one is seen through the
// others at once; the rate limit is shared; SIGKILL of the replica running the sync → another takes the lease
// and finishes it from the checkpoint, and the mirror equals the simulator; webhook events all arrive, a
// repeated delivery carries the same event id.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMirrorStore } from '../../src/mirror/open.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import { PG_URL } from '../connections/databases.ts';
import { client, startSim, type Sim } from '../iiq/sim.ts';
import { serverFile, waitUntilListening } from '../support/server-process.ts';
import { liveView, mirrorView } from '../mirror/harness.ts';
import { sleep, until } from './wait.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = `${process.pid}_${randomBytes(4).toString('hex')}`;
const DB_NAME = `iiqg_scale_${RUN}`;
const DB_URL = PG_URL.replace(/\/[^/]*$/, `/${DB_NAME}`);
const PREFIX = `iiqg-scale-${RUN}:`;
const USERS = 400;
const RATE_LIMIT = 150;

interface Replica {
  child: ChildProcessWithoutNullStreams;
  graphql: string;
  base: string;
  logs: string[];
  pid: number;
}

async function startReplica(env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverFile], { env: { ...process.env, ...env } });
  child.stderr.on('data', () => undefined);
  const { url, logs } = await waitUntilListening(child);
  return { child, graphql: url, base: url.replace(/\/graphql$/, ''), logs, pid: child.pid! };
}

const owns = (r: Replica) => r.logs.some((l) => l.includes('lease acquired'));


async function gql<T>(r: Replica, query: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] } }> {
  const res = await fetch(r.graphql, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as { data?: T } };
}

describe('three replicas sharing PostgreSQL and Redis', () => {
  let sim: Sim;
  let simBase: string;
  let store: MirrorStore;
  let replicas: Replica[] = [];
  let env: Record<string, string>;
  let receiver: Server;
  let receiverUrl: string;
  const received: { headerId: string; bodyId: string }[] = [];
  const failedOnce = new Set<string>();

  beforeAll(async () => {
    // per-item latency with roles: a full sync of 400 users in pages of 20 lasts seconds, long enough to kill its owner
    ({ sim, baseUrl: simBase } = await startSim({ users: USERS, seed: 7, latency: { baseMs: 2, perItemRolesMs: 8 } }));
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
    await admin.end();
    // the webhook endpoint exists before the first sync, so every user event of the run is due to it
    store = await openMirrorStore({ dataDir: '/nonexistent', databaseUrl: DB_URL });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const headerId = String(req.headers['x-iiq-graph-event-id']);
        const bodyId = (JSON.parse(body) as { id: string }).id;
        received.push({ headerId, bodyId });
        // the first attempt of the first three events fails: the retry is a duplicate delivery of the same event
        if (failedOnce.size < 3 && !failedOnce.has(bodyId) && !received.slice(0, -1).some((r) => r.bodyId === bodyId)) {
          failedOnce.add(bodyId);
          res.writeHead(500).end();
          return;
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await store.createWebhook({ tenantId: 'default', connectionId: 'default', url: receiverUrl, types: ['user.created', 'user.updated'] });

    env = {
      PORT: '0',
      LOG_LEVEL: 'info',
      IIQ_BASE_URL: simBase,
      IIQ_GRAPH_ALLOWED_HOSTS: '127.0.0.1', // the webhook receiver listens on loopback (src/connections/url-policy.ts)
      IIQ_USERNAME: 'spadmin',
      IIQ_PASSWORD: 'admin',
      DATABASE_URL: DB_URL,
      REDIS_URL,
      CACHE_KEY_PREFIX: PREFIX,
      RATE_LIMIT_KEY_PREFIX: `${PREFIX}rl`,
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      CONNECTION_RATE_LIMIT_PER_MINUTE: '0',
      MIRROR: 'true',
      MIRROR_PAGE_SIZE: '20',
      MIRROR_CONCURRENCY: '1',
      MIRROR_SYNC_INTERVAL: '1',
      MIRROR_LEASE_INTERVAL: '0.5',
    };
    replicas = await Promise.all([0, 1, 2].map(() => startReplica(env)));
  }, 60_000);

  afterAll(async () => {
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => (r.child.exitCode === null && r.child.signalCode === null ? new Promise((res) => r.child.once('exit', res)) : null)));
    await store?.close();
    receiver?.close();
    await sim?.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.end();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('SIGKILL of the replica running the full sync: another takes the lease, resumes from the checkpoint, the mirror equals IIQ', async () => {
    // an empty list is truthy: wait until some replica actually owns the lease
    const owner = await until('a lease owner', async () => { const o = replicas.filter(owns); return o.length > 0 ? o : null; });
    expect(owner).toHaveLength(1);
    const victim = owner[0]!;
    // a few batches committed, the pass not complete
    const checkpoint = await until('a committed checkpoint', async () => (await store.getState('default')).fullSync?.after ?? null, 30_000, 20);
    expect((await store.getState('default')).fullSyncedAt).toBeNull();
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.once('exit', r));
    const survivors = replicas.filter((r) => r !== victim);
    const next = await until('a new lease owner', async () => survivors.find(owns), 15_000, 20);
    const takeoverMs = Date.now() - killedAt;
    console.log(`lease takeover after SIGKILL: ${takeoverMs} ms (MIRROR_LEASE_INTERVAL=0.5 s)`);
    expect(takeoverMs).toBeLessThan(5_000);
    const state = await until('the full sync to complete', async () => {
      const s = await store.getState('default');
      return s.fullSyncedAt ? s : null;
    }, 40_000, 100);
    expect(state.fullSync).toBeNull();
    // the run the killed owner left behind is recorded as interrupted; the new owner's run resumed past the checkpoint
    const runs = (await store.listRuns('default', 20)).filter((r) => r.kind === 'full');
    expect(runs.some((r) => r.status === 'failed' && /interrupted/.test(r.error ?? ''))).toBe(true);
    const finished = runs.find((r) => r.status === 'succeeded')!;
    expect(finished.counts.fetched).toBeLessThan(USERS);
    expect(checkpoint).toBeTruthy();
    // the mirror equals what IIQ says
    const live = await liveView(client(simBase));
    const mirrored = await mirrorView(store, 'default');
    expect(mirrored.users.length).toBe(USERS);
    expect(mirrored.users).toEqual(live.users);
    expect(mirrored.roles).toEqual(live.roles);
    // three replicas again: the replacement joins as a reader (the lease stays where it is)
    replicas = [...survivors, await startReplica(env)];
    await sleep(1200);
    expect(replicas.filter(owns).filter((r) => r.child.exitCode === null)).toEqual([next]);
    expect(replicas[2]!.logs.some((l) => l.includes('lease acquired'))).toBe(false);
  }, 60_000);

  it('requests spread across the replicas agree, live and from the mirror', async () => {
    const q = '{ users(first: 5) { totalCount edges { node { id userName displayName } } } }';
    const live = await Promise.all(replicas.map((r) => gql(r, q)));
    for (const a of live) expect(a.body).toEqual(live[0]!.body);
    expect((live[0]!.body.data as { users: { totalCount: number } }).users.totalCount).toBe(USERS);
    // mirror reads: every replica serves the mirror the owner wrote (the others follow it through PostgreSQL)
    const mq = '{ users(first: 5) { totalCount edges { node { id userName } } } }';
    const mirrored = await until('all replicas serving the mirror', async () => {
      const all = await Promise.all(replicas.map((r) => gql(r, mq, { 'x-iiq-consistency': 'mirror' })));
      return all.every((a) => !a.body.errors) ? all : null;
    }, 10_000, 200);
    for (const a of mirrored) expect(a.body.data).toEqual(mirrored[0]!.body.data);
  }, 30_000);

  it('a write through one replica is seen through the others at once (shared read and response caches)', async () => {
    const target = sim.data.users.find((u) => u.userName !== 'spadmin')!;
    const read = `{ user(id: "${target.id}") { id displayName } }`;
    // warm every replica's caches with the old value
    for (const r of replicas) for (let i = 0; i < 2; i++) expect((await gql<{ user: { displayName: string } }>(r, read)).body.data!.user.displayName).toBe(target.displayName);
    for (let round = 0; round < 3; round++) {
      const name = `Scale Test ${round} ${RUN}`;
      const writer = replicas[round % replicas.length]!;
      const w = await gql<{ updateUser: { __typename: string } }>(writer, `mutation { updateUser(id: "${target.id}", input: { displayName: "${name}" }) { __typename } }`);
      expect(w.body.data?.updateUser.__typename).toBe('UpdateUserSuccess');
      for (const r of replicas) expect((await gql<{ user: { displayName: string } }>(r, read)).body.data!.user.displayName).toBe(name);
    }
  }, 30_000);

  it('the rate limit is shared: the same key gets its limit once across all replicas', async () => {
    const key = `Bearer rl-${RUN}`;
    let ok = 0;
    let limited = 0;
    for (let i = 0; i < RATE_LIMIT + 15; i++) {
      const r = replicas[i % replicas.length]!;
      const res = await fetch(r.graphql, { method: 'POST', headers: { 'content-type': 'application/json', authorization: key }, body: JSON.stringify({ query: '{ __typename }' }) });
      await res.arrayBuffer();
      if (res.status === 429) limited++;
      else if (res.status === 200) ok++;
    }
    expect(ok).toBe(RATE_LIMIT);
    expect(limited).toBe(15);
  }, 30_000);

  it('every webhook event reaches the receiver; a repeated delivery carries the same event id', async () => {
    const events = await until('the user events of the sync', async () => {
      const all = [];
      let after = 0;
      for (;;) {
        const page = await store.listChanges('default', { after, types: ['user.created', 'user.updated'], limit: 1000 });
        all.push(...page);
        if (page.length < 1000) break;
        after = page[page.length - 1]!.seq;
      }
      return all.length >= USERS ? all : null;
    });
    const want = new Set(events.map((e) => `evt_${e.seq}`));
    await until('every event delivered', async () => {
      const got = new Set(received.map((r) => r.bodyId));
      return [...want].every((id) => got.has(id));
    }, 40_000, 200);
    for (const r of received) expect(r.headerId).toBe(r.bodyId);
    expect(received.every((r) => want.has(r.bodyId))).toBe(true);
    // the failed first attempts were delivered again under the same id
    expect(failedOnce.size).toBeGreaterThan(0);
    for (const id of failedOnce) expect(received.filter((r) => r.bodyId === id).length).toBeGreaterThanOrEqual(2);
    // each endpoint's deliveries come from one replica at a time: the non-owners' redelivery / sync requests are refused
    const nonOwner = replicas.find((r) => !owns(r))!;
    const sync = await fetch(`${nonOwner.base}/mirror/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'incremental' }) });
    expect(sync.status).toBe(409);
  }, 60_000);

  it('/readyz names the one lease owner; SIGTERM of the owner releases the lease and another replica takes it', async () => {
    const ready = async (r: Replica) => {
      const res = await fetch(`${r.base}/readyz`);
      return { status: res.status, body: (await res.json()) as { checks: { mirror?: { ok: boolean; leaseOwner?: boolean } } } };
    };
    const reports = await Promise.all(replicas.map(ready));
    for (const r of reports) {
      expect(r.status).toBe(200);
      expect(r.body.checks.mirror?.ok).toBe(true);
    }
    expect(reports.filter((r) => r.body.checks.mirror?.leaseOwner === true)).toHaveLength(1);
    const owner = replicas[reports.findIndex((r) => r.body.checks.mirror?.leaseOwner === true)]!;
    const before = replicas.filter((r) => r !== owner).map((r) => r.logs.filter((l) => l.includes('lease acquired')).length);
    const stoppedAt = Date.now();
    owner.child.kill('SIGTERM');
    const code = await new Promise((r) => owner.child.once('exit', r));
    expect(code).toBe(0);
    expect(owner.logs.some((l) => l.includes('lease released'))).toBe(true);
    const others = replicas.filter((r) => r !== owner);
    await until('a new owner after SIGTERM', async () => others.some((r, i) => r.logs.filter((l) => l.includes('lease acquired')).length > before[i]!), 10_000, 20);
    console.log(`lease takeover after SIGTERM of the owner: ${Date.now() - stoppedAt} ms (including its shutdown)`);
  }, 30_000);
});
