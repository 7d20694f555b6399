// Benchmark: part (c) of bench/mirror.bench.ts on its own, to iterate on the mirror read path — mirror-served
// `user(userName) { roles }` at a fixed BENCH_RATE (default 1,000) requests/s, open loop, for 10 s against a
// gateway in a child process (target p99 <= 5 ms); p50 / p90 / p99 / max, achieved rate, errors and the
// gateway's CPU per request. The mirror holds BENCH_USERS (default 20,000) users of the simulator's `realistic`
// profile (seed 42); with BENCH_MIRROR_DIR=<dir> it is synced once and reused by later runs.
// BENCH_GATEWAY_CPU_PROF=<dir> writes a V8 CPU profile of the gateway there.
// Run: npx tsx bench/run.ts mirror-served   (results in bench/results/mirror-served.json)
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import { createIiqClient } from '../src/iiq/client.ts';
import { MIRROR_SQLITE_FILE, openMirrorStore } from '../src/mirror/open.ts';
import { MirrorSync } from '../src/mirror/sync.ts';
import { servedLoad, startSimulator } from './mirror.bench.ts';

const USERS = Number(process.env.BENCH_USERS ?? 20_000);

export default async function run(): Promise<Record<string, number | string | boolean>> {
  const keep = process.env.BENCH_MIRROR_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'iiq-graph-mirror-served-'));
  if (keep) mkdirSync(keep, { recursive: true });
  const sim = await startSimulator(USERS);
  const client = createIiqClient({ baseUrl: sim.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, proxy: null });
  const out: Record<string, number | string | boolean> = { users: USERS, store: 'sqlite', simulator: 'child process (realistic profile)' };
  let gateway: ChildProcess | null = null;
  try {
    const reusable = existsSync(join(dir, MIRROR_SQLITE_FILE));
    const store = await openMirrorStore({ dataDir: dir });
    const synced = reusable && (await store.getState('bench')).fullSyncedAt !== null && (await store.counts('bench')).users === USERS;
    out.mirrorReused = synced;
    if (!synced) {
      const sync = new MirrorSync(client, store, 'bench', { concurrency: 8, pageSize: 250, batchSize: 250, skewMs: 60_000 });
      const t = performance.now();
      await sync.run('roles');
      await sync.run('full');
      out.fullSyncSeconds = Math.round((performance.now() - t) / 10) / 100;
    }
    const names = (await store.db.all("SELECT user_name FROM mirror_users WHERE connection_id = 'bench' AND user_name <> 'spadmin' ORDER BY id LIMIT 1000")).map((r) => String(r.user_name));
    await store.close();
    const prof = process.env.BENCH_GATEWAY_CPU_PROF;
    const served = await servedLoad({
      baseUrl: sim.baseUrl,
      dataDir: dir,
      names,
      onGateway: (p) => (gateway = p),
      ...(prof ? { gatewayNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${prof}`] } : {}),
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
