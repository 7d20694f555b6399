// Benchmark: iterate 100,000 users WITH roles from the simulator's `realistic` profile, sequentially and with
// parallel windows (K=8). The simulator runs in a CHILD process so that the RSS sampled here is the client's
// alone (an in-process simulator would hold the whole 100k-identity dataset in the same heap).
// Run: npx tsx bench/run.ts client   (or BENCH_USERS=20000 for a quicker look)
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createIiqClient } from '../src/iiq/client.ts';

const here = dirname(fileURLToPath(import.meta.url));
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const K = 8;

/** Starts the simulator library in a child process and resolves its SCIM base URL. */
function startSimulatorProcess(): Promise<{ child: ChildProcess; baseUrl: string }> {
  const simIndex = pathToFileURL(join(here, '..', 'simulator', 'index.ts')).href;
  const code = `
    const { createSimulator } = await import(${JSON.stringify(simIndex)});
    const sim = createSimulator({ users: ${USERS}, seed: 42, profile: 'realistic' });
    const { baseUrl } = await sim.listen(0, '127.0.0.1');
    process.stdout.write('BASEURL ' + baseUrl + '\\n');
    process.on('SIGTERM', () => sim.close().then(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: join(here, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /BASEURL (\S+)/.exec(buf);
      if (m) resolve({ child, baseUrl: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`simulator exited early (${code})`)));
  });
}

function rssSampler() {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  return {
    peakMb: () => Math.round((Math.max(peak, process.memoryUsage().rss) / 1048576) * 10) / 10,
    stop: () => clearInterval(t),
  };
}

export default async function run(): Promise<Record<string, number | string | boolean>> {
  const { child, baseUrl } = await startSimulatorProcess();
  const client = createIiqClient({
    baseUrl,
    auth: { kind: 'basic', username: 'spadmin', password: 'admin' },
    proxy: null,
    maxConnections: K + 2,
  });
  try {
    const total = await client.countUsers();
    const { maxResults } = await client.serviceProviderConfig();
    // Page size: the per-request base cost (30 ms) is small next to the per-user cost (2 ms with roles), so 500
    // loses nothing against 1000 in throughput, while K=8 windows of roles-expanded pages (~15-20 MB of heap per
    // 1000 users) stay well inside the memory budget. BENCH_PAGE_SIZE overrides.
    const pageSize = Math.min(Number(process.env.BENCH_PAGE_SIZE ?? 500), maxResults);

    const walk = async (concurrency: number) => {
      const seen = new Set<string>();
      let duplicates = 0;
      let withRoles = 0;
      let orderHash = 0;
      const sampler = rssSampler();
      const started = performance.now();
      for await (const u of client.iterateUsers({ includeRoles: true }, { pageSize, concurrency })) {
        if (seen.has(u.id)) duplicates++;
        seen.add(u.id);
        if (u.roles && u.roles.length > 0) withRoles++;
        // order fingerprint: both walks must see the same sequence
        for (let i = 0; i < u.id.length; i++) orderHash = (orderHash * 31 + u.id.charCodeAt(i)) | 0;
      }
      const seconds = (performance.now() - started) / 1000;
      sampler.stop();
      return { seconds, count: seen.size, duplicates, withRoles, orderHash, peakMb: sampler.peakMb() };
    };

    const rssBeforeMb = Math.round((process.memoryUsage().rss / 1048576) * 10) / 10;
    const seq = await walk(1);
    const par = await walk(K);
    return {
      users: total,
      pageSize,
      concurrency: K,
      sequentialSeconds: Math.round(seq.seconds * 100) / 100,
      parallelSeconds: Math.round(par.seconds * 100) / 100,
      speedup: Math.round((seq.seconds / par.seconds) * 100) / 100,
      speedupTargetMet: seq.seconds / par.seconds >= 4,
      rssBeforeMb,
      peakRssSequentialMb: seq.peakMb,
      peakRssParallelMb: par.peakMb,
      peakRssTargetMet: Math.max(seq.peakMb, par.peakMb) <= 256,
      usersWithRoles: par.withRoles,
      sequentialEveryUserOnce: seq.count === total && seq.duplicates === 0,
      parallelEveryUserOnce: par.count === total && par.duplicates === 0,
      sameOrder: seq.orderHash === par.orderHash,
      simulator: 'child process (realistic profile)',
    };
  } finally {
    await client.close();
    child.kill('SIGTERM');
  }
}
