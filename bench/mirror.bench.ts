// Benchmark: the directory mirror against the simulator's `realistic` profile (child process).
//  (a) full sync of BENCH_USERS (default 100,000) users with roles into SQLite, parallel windows (K=8,
//      BENCH_PAGE_SIZE per page, default 250 as MIRROR_PAGE_SIZE): time and peak RSS of this process (target <= 256 MB); compare with the sequential pager of
//      bench/results/client.json (same profile, same size), or measure it here with BENCH_MIRROR_SEQUENTIAL=1;
//  (b) incremental sync after 1 % of the users changed (PUT /Users): time and upstream requests;
//  (c) mirror-served `user(userName) { roles }` at a fixed 1,000 requests/s (open loop) for 10 s against a
//      gateway in a child process: p50 / p99 (target p99 <= 5 ms).
// Run: npx tsx bench/run.ts mirror   (BENCH_USERS=20000 for a quicker look)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent, Pool, type Dispatcher } from 'undici';
import { createIiqClient } from '../src/iiq/client.ts';
import { openMirrorStore } from '../src/mirror/open.ts';
import { MirrorSync } from '../src/mirror/sync.ts';

const here = dirname(fileURLToPath(import.meta.url));
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const K = 8;
/** MIRROR_PAGE_SIZE's default: K pages in flight bound the sync's memory */
const PAGE = Number(process.env.BENCH_PAGE_SIZE ?? 250);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const LOAD_SECONDS = 10;

export function child(code: string, marker: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<{ proc: ChildProcess; value: string }> {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', '--input-type=module', '-e', code], { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = new RegExp(`${marker} (\\S+)`).exec(buf);
      if (m) resolve({ proc, value: m[1]! });
    });
    proc.on('exit', (c) => reject(new Error(`child exited early (${c})`)));
  });
}

function rssSampler() {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  return { peakMb: () => Math.round((Math.max(peak, process.memoryUsage().rss) / 1048576) * 10) / 10, stop: () => clearInterval(t) };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export default async function run(): Promise<Record<string, number | string | boolean>> {
  const sim = await startSimulator(USERS);
  const baseUrl = sim.baseUrl;
  const dir = mkdtempSync(join(tmpdir(), 'iiq-graph-mirror-bench-'));
  // upstream requests counted on the wire (every request the sync's client dispatches)
  let sent = 0;
  const counting: Dispatcher = new Agent({ connections: 2 * K + 2 }).compose((dispatch) => (opts, handler) => {
    sent++;
    return dispatch(opts, handler);
  });
  const client = createIiqClient({ baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, proxy: null, dispatcher: counting });
  const upstreamRequests = async () => sent;
  const out: Record<string, number | string | boolean> = { users: USERS, concurrency: K, pageSize: PAGE, store: 'sqlite', simulator: 'child process (realistic profile)' };
  let gateway = null as ChildProcess | null; // set from a callback
  try {
    const store = await openMirrorStore({ dataDir: dir });
    const sync = new MirrorSync(client, store, 'bench', { concurrency: K, pageSize: PAGE, batchSize: PAGE, skewMs: 60_000 });
    // (a) full sync
    const rss = rssSampler();
    out.rssBeforeMb = rss.peakMb();
    await sync.run('roles');
    let t = performance.now();
    const full = await sync.run('full');
    out.fullSyncSeconds = round((performance.now() - t) / 1000);
    rss.stop();
    out.peakRssMb = rss.peakMb();
    out.peakRssTargetMet = (out.peakRssMb as number) <= 256;
    out.fullSyncUsers = full.counts.created;
    out.fullSyncMemberships = full.counts.membershipsAdded;
    const clientBench = join(here, 'results', 'client.json');
    if (process.env.BENCH_MIRROR_SEQUENTIAL === '1') {
      t = performance.now();
      let n = 0;
      for await (const _u of client.iterateUsers({ includeRoles: true }, { concurrency: 1, pageSize: 500 })) n++;
      out.sequentialPagerSeconds = round((performance.now() - t) / 1000);
      out.sequentialPagerUsers = n;
    } else if (existsSync(clientBench)) {
      const c = JSON.parse(readFileSync(clientBench, 'utf8')) as { metrics: { users: number; sequentialSeconds: number } };
      if (c.metrics.users === USERS) {
        out.sequentialPagerSeconds = c.metrics.sequentialSeconds;
        out.sequentialPagerSource = 'bench/results/client.json';
      }
    }
    if (typeof out.sequentialPagerSeconds === 'number') out.fullSyncSpeedupVsSequential = round(out.sequentialPagerSeconds / (out.fullSyncSeconds as number), 1);

    // (b) incremental after 1 % changed
    const changed = Math.max(1, Math.round(USERS / 100));
    const page = await client.listUsers({ count: Math.min(1000, changed), startIndex: 1000 });
    const targets: { id: string; userName: string }[] = [];
    for (let start = 1; targets.length < changed; start += 1000) {
      const p = start === 1 ? page : await client.listUsers({ count: 1000, startIndex: start });
      for (const u of p.items) if (targets.length < changed && u.userName !== 'spadmin') targets.push({ id: u.id, userName: u.userName });
      if (p.items.length === 0) break;
    }
    for (let i = 0; i < targets.length; i += 16) {
      await Promise.all(targets.slice(i, i + 16).map((u) => client.replaceUser(u.id, { userName: u.userName, displayName: `Bench ${u.userName}` })));
    }
    const before = await upstreamRequests();
    t = performance.now();
    const inc = await sync.run('incremental');
    out.incrementalSeconds = round((performance.now() - t) / 1000);
    out.incrementalUpstreamRequests = (await upstreamRequests()) - before;
    out.incrementalChangedUsers = changed;
    out.incrementalUpdated = inc.counts.updated;
    await store.close();

    // (c) mirror-served user(userName) { roles } at a fixed rate, gateway in a child process
    const served = await servedLoad({ baseUrl, dataDir: dir, names: targets.map((u) => u.userName), onGateway: (p) => (gateway = p) });
    for (const [k, v] of Object.entries(served)) out[`served.${k}`] = v;
    return out;
  } finally {
    gateway?.kill('SIGTERM');
    await client.close();
    sim.proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** the simulator in a child process (`realistic` profile, seed 42: the same users every run) */
export async function startSimulator(users: number): Promise<{ proc: ChildProcess; baseUrl: string }> {
  const simIndex = pathToFileURL(join(here, '..', 'simulator', 'index.ts')).href;
  const sim = await child(
    `const { createSimulator } = await import(${JSON.stringify(simIndex)});
     const sim = createSimulator({ users: ${users}, seed: 42, profile: 'realistic' });
     const { baseUrl } = await sim.listen(0, '127.0.0.1');
     process.stdout.write('BASEURL ' + baseUrl + '\\n');
     process.on('SIGTERM', () => sim.close().then(() => process.exit(0)));`,
    'BASEURL',
  );
  return { proc: sim.proc, baseUrl: sim.value };
}

/** process CPU (user + system) of another process in ms, from /proc (Linux) */
function cpuMsOf(pid: number): number | null {
  try {
    // fields after the command name "(…)": utime and stime are the 12th and 13th
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
/** A process and its children (cluster mode: the primary and its workers). */
function treeCpuMsOf(pid: number): number | null {
  const own = cpuMsOf(pid);
  if (own === null) return null;
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // no children file: count the process alone
  }
  return children.reduce((sum, c) => sum + (cpuMsOf(c) ?? 0), own);
}
/** USER_HZ: 100 on every Linux build this runs on (`getconf CLK_TCK`) */
const CLOCK_TICKS = Number(process.env.BENCH_CLK_TCK ?? 100);
/** the gateway child's NODE_ENV (BENCH_GATEWAY_NODE_ENV; production by default, as deployed) */
const GATEWAY_NODE_ENV = process.env.BENCH_GATEWAY_NODE_ENV ?? 'production';

export interface ServedLoadOptions {
  baseUrl: string;
  /** DATA_DIR holding a synced mirror of connection `bench` */
  dataDir: string;
  names: string[];
  rate?: number;
  seconds?: number;
  /** extra node flags for the gateway child, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] (written at exit) */
  gatewayNodeArgs?: string[];
  onGateway?: (proc: ChildProcess) => void;
  /** run this gateway instead (e.g. src/server.ts in cluster mode): its process and origin; CPU counts its children too */
  startGateway?: () => Promise<{ proc: ChildProcess; value: string }>;
}

/**
 * Mirror-served `user(userName) { roles }` at a fixed rate against a gateway in a child process: open loop
 * (requests leave on schedule whatever the latency), latency per request from its scheduled departure; the
 * gateway's CPU per request is its process CPU over the load window divided by the requests sent.
 */
export async function servedLoad(o: ServedLoadOptions): Promise<Record<string, number | boolean | string>> {
  const rate = o.rate ?? RATE;
  const seconds = o.seconds ?? LOAD_SECONDS;
  const url = (f: string) => JSON.stringify(pathToFileURL(join(here, '..', 'src', f)).href);
  const gw = o.startGateway ? await o.startGateway() : await child(
    `const { createApp } = await import(${url('app.ts')});
     const { loadConfig } = await import(${url('config.ts')});
     const { createIiqClient } = await import(${url('iiq/client.ts')});
     const { ConnectionMirror } = await import(${url('mirror/service.ts')});
     const { openMirrorStore } = await import(${url('mirror/open.ts')});
     const { createServer } = await import('node:http');
     const live = createIiqClient({ baseUrl: ${JSON.stringify(o.baseUrl)}, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, proxy: null });
     const store = await openMirrorStore({ dataDir: ${JSON.stringify(o.dataDir)} });
     const mirror = new ConnectionMirror({ live, store, connectionId: 'bench', tenantId: 'bench', schedule: false });
     await mirror.start();
     const app = createApp({ client: live, config: loadConfig({ LOG_LEVEL: 'silent', CACHE: 'off', RATE_LIMIT_PER_MINUTE: '0', CONNECTION_RATE_LIMIT_PER_MINUTE: '0' }), mirror });
     const server = createServer(app.handle);
     process.on('SIGTERM', () => process.exit(0)); // a normal exit: --cpu-prof writes its profile
     server.listen(0, '127.0.0.1', () => process.stdout.write('GATEWAY http://127.0.0.1:' + server.address().port + '\\n'));`,
    'GATEWAY',
    // as in production (README: graphql's development-mode checks cost CPU on every query)
    { NODE_ENV: GATEWAY_NODE_ENV },
    o.gatewayNodeArgs ?? [],
  );
  o.onGateway?.(gw.proc);
  const pool = new Pool(gw.value, { connections: 64 });
  try {
    const query = 'query($n: String!) { user(userName: $n) { userName roles(first: 20) { totalCount edges { acquired node { name } } } } }';
    const once = async (n: string, started = performance.now()) => {
      const res = await pool.request({ path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'x-iiq-consistency': 'mirror' }, body: JSON.stringify({ query, variables: { n } }) });
      const body = (await res.body.json()) as { data?: { user?: { userName: string } | null }; errors?: unknown[]; extensions?: { consistency?: { mode?: string } } };
      if (res.statusCode !== 200 || body.errors || !body.data?.user || body.extensions?.consistency?.mode !== 'MIRROR') throw new Error(`bad response ${res.statusCode} ${JSON.stringify(body).slice(0, 200)}`);
      return performance.now() - started;
    };
    for (let i = 0; i < 2000; i++) await once(o.names[i % o.names.length]!); // warm-up (JIT, statement cache)
    const latencies: number[] = [];
    let errors = 0;
    let firstError: string | null = null;
    const inflight: Promise<void>[] = [];
    const total = rate * seconds;
    const pid = gw.proc.pid!;
    const cpuBefore = treeCpuMsOf(pid);
    const ownBefore = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate; // open loop: requests leave on schedule whatever the latency
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      // latency counts from the scheduled departure: a late load generator is not hidden
      inflight.push(
        once(o.names[(i * 7919) % o.names.length]!, Math.min(due, performance.now())).then(
          (ms) => void latencies.push(ms),
          (err: unknown) => {
            errors++;
            firstError ??= err instanceof Error ? err.message : String(err);
          },
        ),
      );
    }
    await Promise.all(inflight);
    const elapsed = (performance.now() - start) / 1000;
    const cpuAfter = treeCpuMsOf(pid);
    const own = process.cpuUsage(ownBefore);
    if (firstError) console.error(`served: ${errors} errors, first: ${firstError}`);
    const p99 = latencies.length ? round(pct(latencies, 99)) : -1;
    return {
      gatewayNodeEnv: GATEWAY_NODE_ENV,
      targetRps: rate,
      requests: total,
      achievedRps: Math.round(total / elapsed),
      errors,
      p50Ms: latencies.length ? round(pct(latencies, 50)) : -1,
      p90Ms: latencies.length ? round(pct(latencies, 90)) : -1,
      p99Ms: p99,
      maxMs: latencies.length ? round(Math.max(...latencies)) : -1,
      p99TargetMet: errors === 0 && p99 >= 0 && p99 <= 5,
      ...(cpuBefore !== null && cpuAfter !== null ? { gatewayCpuMsPerRequest: round((cpuAfter - cpuBefore) / total, 3), gatewayCpuShare: round((cpuAfter - cpuBefore) / 1000 / elapsed, 2) } : {}),
      loadGeneratorCpuMsPerRequest: round((own.user + own.system) / 1000 / total, 3),
      loadAverage1m: round(loadavg()[0]!),
    };
  } finally {
    await pool.close();
  }
}
