// Benchmark: part (c) of bench/mirror.bench.ts on its own, to iterate on the mirror read path — mirror-served
// `user(userName) { roles }` at a fixed BENCH_RATE (default 1,000) requests/s, open loop, for 10 s against a
// gateway in a child process (target p99 <= 5 ms); p50 / p90 / p99 / max, achieved rate, errors and the
// gateway's CPU per request. The mirror holds BENCH_USERS (default 20,000) users of the simulator's `realistic`
// profile (seed 42); with BENCH_MIRROR_DIR=<dir> it is synced once and reused by later runs.
// BENCH_GATEWAY_CPU_PROF=<dir> writes a V8 CPU profile of the gateway there.
// BENCH_GATEWAY_WORKERS (default 2 = this machine's cores) runs the product's server (src/server.ts with
// IIQ_BASE_URL = the simulator, MIRROR=true, WEB_CONCURRENCY = that number, CACHE and rate limits off) as the
// gateway; gateway CPU counts the primary and its workers. BENCH_GATEWAY_WORKERS=0: the previous in-process
// gateway (createApp on one thread, no hardening server around it), for comparison.
// Run: npx tsx bench/run.ts mirror-served   (results in bench/results/mirror-served.json)
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createIiqClient } from '../src/iiq/client.ts';
import { MIRROR_SQLITE_FILE, openMirrorStore } from '../src/mirror/open.ts';
import { MirrorSync } from '../src/mirror/sync.ts';
import { servedLoad, startSimulator } from './mirror.bench.ts';

const USERS = Number(process.env.BENCH_USERS ?? 20_000);
const WORKERS = Number(process.env.BENCH_GATEWAY_WORKERS ?? 2);
/** the product server's mirror of its single connection (src/mirror/setup.ts SINGLE_CONNECTION_ID); the in-process gateway reads `bench` */
const CONNECTION = WORKERS > 0 ? 'default' : 'bench';

/**
 * src/server.ts in cluster mode against the simulator and the synced mirror: resolves with its origin once it
 * listens. LOG_LEVEL=warn as a busy deployment would run it (info logs a line per request), so the listening
 * line is not logged: /readyz on a port chosen here tells when it serves.
 */
async function startServer(baseUrl: string, dataDir: string, nodeArgs: string[]): Promise<{ proc: ChildProcess; value: string }> {
  const port = await new Promise<number>((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', fileURLToPath(new URL('../src/server.ts', import.meta.url))], {
    env: {
      ...process.env,
      NODE_ENV: process.env.BENCH_GATEWAY_NODE_ENV ?? 'production',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      WEB_CONCURRENCY: String(WORKERS),
      IIQ_BASE_URL: baseUrl,
      IIQ_USERNAME: 'spadmin',
      IIQ_PASSWORD: 'admin',
      MIRROR: 'true',
      DATA_DIR: dataDir,
      // the mirror is synced before the run: no scheduled sync during the 10 s
      MIRROR_SYNC_INTERVAL: '3600',
      MIRROR_ROLES_INTERVAL: '3600',
      MIRROR_DELETION_SCAN_INTERVAL: '3600',
      CACHE: 'off',
      RATE_LIMIT_PER_MINUTE: '0',
      CONNECTION_RATE_LIMIT_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: proc.stdout! }).on('line', (line) => process.stderr.write(`gateway: ${line}\n`));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the gateway exited with ${proc.exitCode} before serving`);
    const ok = await fetch(`${origin}/readyz`).then((r) => r.ok, () => false);
    if (ok) return { proc, value: origin };
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill('SIGKILL');
  throw new Error('the gateway did not become ready within 120 s');
}

export default async function run(): Promise<Record<string, number | string | boolean>> {
  const keep = process.env.BENCH_MIRROR_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'iiq-graph-mirror-served-'));
  if (keep) mkdirSync(keep, { recursive: true });
  const sim = await startSimulator(USERS);
  const client = createIiqClient({ baseUrl: sim.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, proxy: null });
  const out: Record<string, number | string | boolean> = { users: USERS, store: 'sqlite', simulator: 'child process (realistic profile)', gatewayWorkers: WORKERS, gateway: WORKERS > 0 ? `src/server.ts, WEB_CONCURRENCY=${WORKERS}` : 'in-process createApp (one thread)' };
  let gateway: ChildProcess | null = null;
  try {
    const reusable = existsSync(join(dir, MIRROR_SQLITE_FILE));
    const store = await openMirrorStore({ dataDir: dir });
    const synced = reusable && (await store.getState(CONNECTION)).fullSyncedAt !== null && (await store.counts(CONNECTION)).users === USERS;
    out.mirrorReused = synced;
    if (!synced) {
      const sync = new MirrorSync(client, store, CONNECTION, { concurrency: 8, pageSize: 250, batchSize: 250, skewMs: 60_000 });
      const t = performance.now();
      await sync.run('roles');
      await sync.run('full');
      out.fullSyncSeconds = Math.round((performance.now() - t) / 10) / 100;
    }
    const names = (await store.db.all("SELECT user_name FROM mirror_users WHERE connection_id = ? AND user_name <> 'spadmin' ORDER BY id LIMIT 1000", [CONNECTION])).map((r) => String(r.user_name));
    await store.close();
    const prof = process.env.BENCH_GATEWAY_CPU_PROF;
    const served = await servedLoad({
      baseUrl: sim.baseUrl,
      dataDir: dir,
      names,
      onGateway: (p) => (gateway = p),
      ...(prof ? { gatewayNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${prof}`] } : {}),
      ...(WORKERS > 0 ? { startGateway: () => startServer(sim.baseUrl, dir, prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []) } : {}),
    });
    for (const [k, v] of Object.entries(served)) out[`served.${k}`] = v;
    return out;
  } finally {
    if (gateway) {
      const g: ChildProcess = gateway;
      await new Promise<void>((resolve) => {
        g.once('exit', () => resolve());
        g.kill('SIGTERM');
        setTimeout(resolve, 5000).unref();
      });
    }
    await client.close();
    sim.proc.kill('SIGTERM');
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
