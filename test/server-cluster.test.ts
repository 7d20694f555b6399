// Cluster mode (WEB_CONCURRENCY=2, src/cluster.ts) as a user runs it: the real server process, its workers and
// the one embedded simulator, over real HTTP (a new connection per request, so the primary spreads them).
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIRROR_SQLITE_FILE } from '../src/mirror/open.ts';
import { PG_URL } from './connections/databases.ts';
import { serverFile, waitUntilListening } from './support/server-process.ts';

function start(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', serverFile], {
    env: { ...process.env, LOG_LEVEL: 'info', PORT: '0', WEB_CONCURRENCY: '2', SIMULATOR_USERS: '60', SIMULATOR_PROFILE: 'zero', ...env },
  });
}

interface Answer {
  status: number;
  worker: string | undefined;
  body: { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] };
}

/** One GraphQL POST on its own connection (agent: false), so that consecutive requests can reach either worker. */
function gql(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, worker: res.headers['x-iiq-graph-worker'] as string | undefined, body: JSON.parse(text) as Answer['body'] }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ query, variables }));
  });
}

/** Repeats until a request has reached each of the two workers (round-robin: a few tries). */
async function throughEachWorker(f: () => Promise<Answer>): Promise<Map<string, Answer>> {
  const seen = new Map<string, Answer>();
  for (let i = 0; i < 40 && seen.size < 2; i++) {
    const a = await f();
    if (a.worker) seen.set(a.worker, a);
  }
  return seen;
}

const childPids = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const msgs = (logs: string[]) => logs.map((l) => JSON.parse(l) as { msg: string; worker?: number; url?: string; pid?: number });

describe('WEB_CONCURRENCY=2 (demo mode)', () => {
  let child: ChildProcessWithoutNullStreams;
  let url: string;
  let logs: string[];

  beforeAll(async () => {
    child = start({ RATE_LIMIT_PER_MINUTE: '40', CONNECTION_RATE_LIMIT_PER_MINUTE: '0' });
    ({ url, logs } = await waitUntilListening(child));
  }, 90_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('logs one listening URL, starts one simulator (in the primary) and serves from both workers', async () => {
    expect(msgs(logs).filter((m) => m.msg.startsWith('iiq-graph is listening'))).toHaveLength(1);
    expect(msgs(logs).filter((m) => m.msg.startsWith('IIQ_BASE_URL is not set: started the embedded IIQ simulator'))).toHaveLength(1);
    // CACHE is on by default: without REDIS_URL it is turned off (each worker would hold its own copy), said once
    expect(msgs(logs).filter((m) => m.msg.startsWith('CACHE=on without REDIS_URL is turned off in cluster mode'))).toHaveLength(1);
    const kids = childPids(child.pid!);
    const simulators = kids.filter((p) => cmdline(p).includes('simulator/cli.ts'));
    expect(simulators).toHaveLength(1);
    // the workers run src/server.ts; other children (tsx's esbuild service on a cold cache) are not workers
    const workers = kids.filter((p) => cmdline(p).includes(serverFile));
    expect(workers).toHaveLength(2);
    // no worker started a simulator of its own
    for (const w of workers) expect(childPids(w).filter((p) => cmdline(p).includes('simulator/cli.ts'))).toEqual([]);
    const seen = await throughEachWorker(() => gql(url, '{ users(first: 2) { totalCount } }', {}, { authorization: 'Bearer spread' }));
    expect([...seen.keys()].sort()).toEqual(['1', '2']);
    for (const a of seen.values()) expect(a.body.data).toEqual({ users: { totalCount: 60 } });
  }, 60_000);

  it('a write through one worker is read fresh through both', async () => {
    const h = { authorization: 'Bearer writes' };
    const first = await gql(url, '{ users(first: 1) { edges { node { id active } } } }', {}, h);
    const user = (first.body.data!.users as { edges: { node: { id: string; active: boolean } }[] }).edges[0]!.node;
    for (const active of [!user.active, user.active]) {
      const w = await gql(url, 'mutation($id: ID!, $a: Boolean!) { setUserActive(id: $id, active: $a) { __typename ... on SetUserActiveSuccess { user { active } } } }', { id: user.id, a: active }, h);
      expect(w.body.data).toEqual({ setUserActive: { __typename: 'SetUserActiveSuccess', user: { active } } });
      const reads = await throughEachWorker(() => gql(url, 'query($id: ID!) { user(id: $id) { active } }', { id: user.id }, h));
      expect(reads.size).toBe(2);
      for (const r of reads.values()) expect(r.body.data).toEqual({ user: { active } });
    }
  }, 60_000);

  it('the rate limit holds across the workers (the primary counts)', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 50; i++) answers.push(await gql(url, '{ __typename }', {}, { authorization: 'Bearer limited' }));
    const ok = answers.filter((a) => a.status === 200);
    expect(new Set(ok.map((a) => a.worker))).toEqual(new Set(['1', '2']));
    expect(ok).toHaveLength(40);
    expect(answers.slice(40).every((a) => a.status === 429 && a.body.errors?.[0]?.extensions?.code === 'RATE_LIMITED')).toBe(true);
  }, 60_000);

  it('replaces a SIGKILLed worker and keeps answering', async () => {
    const originals = childPids(child.pid!).filter((p) => cmdline(p).includes(serverFile));
    const victim = originals[0]!;
    process.kill(victim, 'SIGKILL');
    await until(() => !alive(victim));
    // the survivor answers meanwhile
    for (let i = 0; i < 5; i++) expect((await gql(url, '{ users(first: 1) { totalCount } }', {}, { authorization: 'Bearer kill' })).status).toBe(200);
    // a worker process that was not there before says it listens (the originals' own lines may still be arriving)
    await until(() => msgs(logs).some((m) => m.msg === 'gateway worker listening' && m.pid !== undefined && !originals.includes(m.pid)), 60_000);
    expect(msgs(logs).some((m) => m.msg.startsWith('a gateway worker exited unexpectedly'))).toBe(true);
    const seen = await throughEachWorker(() => gql(url, '{ users(first: 1) { totalCount } }', {}, { authorization: 'Bearer kill' }));
    expect([...seen.keys()].sort()).toEqual(['1', '2']);
  }, 90_000);

  it('SIGTERM: in-flight requests finish, the workers and the simulator stop, exit 0', async () => {
    const kids = childPids(child.pid!);
    // requests a worker is reading when the signal comes: half the body now, the rest after SIGTERM
    const body = JSON.stringify({ query: '{ users(first: 20) { totalCount } }' });
    const inflight = Array.from({ length: 4 }, () => {
      const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), authorization: 'Bearer drain' } });
      const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
      });
      req.write(body.slice(0, 10));
      return { answer, finish: () => req.end(body.slice(10)) };
    });
    await new Promise((r) => setTimeout(r, 1_000));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    for (const r of inflight) r.finish();
    const answers = await Promise.all(inflight.map((r) => r.answer));
    for (const a of answers) expect(a).toEqual({ status: 200, text: JSON.stringify({ data: { users: { totalCount: 60 } } }) });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    await until(() => kids.every((p) => !alive(p)), 10_000);
    expect(msgs(logs).some((m) => m.msg.startsWith('every worker has drained'))).toBe(true);
  }, 60_000);
});

describe('WEB_CONCURRENCY=2 with MIRROR=true on SQLite', () => {
  let dir: string;
  let child: ChildProcessWithoutNullStreams;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'iiq-graph-cluster-mirror-'));
  });
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('only worker 1 syncs; both serve reads from the mirror', async () => {
    child = start({ MIRROR: 'true', DATA_DIR: dir, MIRROR_SYNC_INTERVAL: '1' });
    const { url, logs } = await waitUntilListening(child);
    await until(() => msgs(logs).filter((m) => m.msg.startsWith('directory mirror started')).length === 2, 60_000);
    // a few incremental periods go by: a second scheduler would double the runs
    await new Promise((r) => setTimeout(r, 4_000));
    const db = new Database(join(dir, MIRROR_SQLITE_FILE), { readonly: true });
    try {
      const runs = db.prepare('SELECT kind, COUNT(*) AS n FROM mirror_runs GROUP BY kind').all() as { kind: string; n: number }[];
      const by = Object.fromEntries(runs.map((r) => [r.kind, r.n]));
      expect(by.full).toBe(1);
      expect(by.roles).toBe(1);
      // MIRROR_SYNC_INTERVAL=1 over ~4 s from one scheduler: a handful of incremental runs, not two streams
      expect(by.incremental ?? 0).toBeLessThanOrEqual(6);
    } finally {
      db.close();
    }
    const live = await gql(url, '{ users(first: 1) { edges { node { userName } } } }');
    const userName = (live.body.data!.users as { edges: { node: { userName: string } }[] }).edges[0]!.node.userName;
    // worker 2 follows worker 1's commits (state poll, 5 s): within a few seconds both answer from the mirror
    const served = new Map<string, Answer>();
    const deadline = Date.now() + 20_000;
    while (served.size < 2 && Date.now() < deadline) {
      const a = await gql(url, 'query($n: String!) { user(userName: $n) { userName } }', { n: userName }, { 'x-iiq-consistency': 'mirror' });
      if (a.worker && a.body.data) served.set(a.worker, a);
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect([...served.keys()].sort()).toEqual(['1', '2']);
    for (const a of served.values()) {
      expect(a.body).toMatchObject({ data: { user: { userName } } });
      expect((a.body as { extensions?: { consistency?: { mode?: string } } }).extensions?.consistency?.mode).toBe('MIRROR');
    }
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  }, 120_000);
});

describe('WEB_CONCURRENCY validation', () => {
  it.each(['0', 'two', '1.5', '999'])('WEB_CONCURRENCY=%s stops the start with exit 2 and a clear message', async (value) => {
    const child = start({ WEB_CONCURRENCY: value });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain(`WEB_CONCURRENCY must be a whole number of worker processes from 1 to 256, or auto (one per core), got "${value}"`);
  }, 60_000);
});

describe('WEB_CONCURRENCY=2 when a worker cannot start', () => {
  it('the port is taken: the primary stops instead of restarting workers forever, exit 1', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const child = start({ PORT: String(port), IIQ_BASE_URL: 'http://127.0.0.1:9/identityiq/scim/v2', IIQ_USERNAME: 'u', IIQ_PASSWORD: 'p' });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(1);
      expect(out).toContain('a gateway worker failed to start');
    } finally {
      blocker.close();
    }
  }, 60_000);
});

describe('WEB_CONCURRENCY=2 with REDIS_URL (shared cache)', () => {
  let child: ChildProcessWithoutNullStreams;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('keeps CACHE on and a write through one worker is never served stale by the other (caches warm)', async () => {
    const prefix = `iiqg-cluster-${process.pid}-${Date.now()}`;
    child = start({ REDIS_URL: 'redis://127.0.0.1:6379', CACHE: 'on', CACHE_KEY_PREFIX: `${prefix}:`, RATE_LIMIT_KEY_PREFIX: `${prefix}:rl` });
    const { url, logs } = await waitUntilListening(child);
    expect(msgs(logs).some((m) => m.msg.startsWith('CACHE=on without REDIS_URL'))).toBe(false);
    const first = await gql(url, '{ users(first: 1) { edges { node { id active } } } }');
    const user = (first.body.data!.users as { edges: { node: { id: string; active: boolean } }[] }).edges[0]!.node;
    const read = () => gql(url, 'query($id: ID!) { user(id: $id) { active } }', { id: user.id });
    // both workers have the user cached before each write
    expect((await throughEachWorker(read)).size).toBe(2);
    for (const active of [!user.active, user.active]) {
      const w = await gql(url, 'mutation($id: ID!, $a: Boolean!) { setUserActive(id: $id, active: $a) { __typename } }', { id: user.id, a: active });
      expect(w.body.data).toEqual({ setUserActive: { __typename: 'SetUserActiveSuccess' } });
      const reads = await throughEachWorker(read);
      expect(reads.size).toBe(2);
      for (const r of reads.values()) expect(r.body.data).toEqual({ user: { active } });
    }
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  }, 90_000);
});

describe('WEB_CONCURRENCY=2 with MIRROR=true on PostgreSQL', () => {
  const db = `iiqg_cluster_${process.pid}_${Date.now()}`;
  let child: ChildProcessWithoutNullStreams;
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.end();
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
  });

  it('the lease makes exactly one worker the owner of the background work', async () => {
    child = start({ MIRROR: 'true', DATABASE_URL: PG_URL.replace(/\/[^/]*$/, `/${db}`), MIRROR_LEASE_INTERVAL: '0.5' });
    const { url } = await waitUntilListening(child);
    const readyz = new URL('/readyz', url).href;
    const owners = new Map<string, boolean>();
    const deadline = Date.now() + 30_000;
    while ((owners.size < 2 || [...owners.values()].filter(Boolean).length !== 1) && Date.now() < deadline) {
      const a = await new Promise<{ worker: string; owner: boolean | undefined }>((resolve, reject) => {
        request(readyz, { agent: false }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve({ worker: String(res.headers['x-iiq-graph-worker']), owner: (JSON.parse(text) as { checks: { mirror?: { leaseOwner?: boolean } } }).checks.mirror?.leaseOwner }))
        }).on('error', reject).end();
      });
      if (a.owner !== undefined) owners.set(a.worker, a.owner);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([...owners.keys()].sort()).toEqual(['1', '2']);
    expect([...owners.values()].filter(Boolean)).toHaveLength(1);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  }, 90_000);
});
