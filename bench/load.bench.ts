// Bounded load run (issue #9): the gateway (this process, all hardening on: limits, rate limit, breaker) against the
// zero-latency simulator (a child process), at a FIXED rate for a fixed time with autocannon; a mix of GraphQL
// users page with roles, user lookup, role members, the unified REST list and a proxied call.
// Reports error rate, latency percentiles, and heap after a forced GC before and after (growth = a leak).
// Run: npx tsx bench/run.ts load   (LOAD_SECONDS=60, LOAD_RATE=200 requests/s, LOAD_CONNECTIONS=16, LOAD_CACHE=off|on)
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createIiqClient } from '../src/iiq/client.ts';
import { ProxyUpstream } from '../src/rest/proxy.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const RATE = Number(process.env.LOAD_RATE ?? 200);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 16);
const USERS = Number(process.env.LOAD_USERS ?? 2000);
const CACHE = process.env.LOAD_CACHE === 'on' ? 'on' : 'off';

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  gc();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
};

function startSimulator(): Promise<{ child: ChildProcess; baseUrl: string }> {
  const simIndex = pathToFileURL(join(here, '..', 'simulator', 'index.ts')).href;
  const code = `
    const { createSimulator } = await import(${JSON.stringify(simIndex)});
    const sim = createSimulator({ users: ${USERS}, seed: 42, profile: 'zero' });
    const { baseUrl } = await sim.listen(0, '127.0.0.1');
    process.stdout.write('SIM ' + baseUrl + '\\n');
    process.on('SIGTERM', () => sim.close().then(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /SIM (\S+)/.exec(buf);
      if (m) resolve({ child, baseUrl: m[1]! });
    });
    child.on('exit', (c) => reject(new Error(`simulator exited early (${c})`)));
  });
}

export default async function load(): Promise<Record<string, number | string>> {
  // @ts-expect-error autocannon ships no types
  const autocannon = (await import('autocannon')).default as Autocannon;
  const sim = await startSimulator();
  const auth = { kind: 'basic' as const, username: 'spadmin', password: 'admin' };
  const client = createIiqClient({ baseUrl: sim.baseUrl, auth });
  const proxy = new ProxyUpstream({ baseUrl: sim.baseUrl, secret: { auth, proxyUrl: null }, caBundle: null });
  // production defaults except the per-caller rate limit (one load generator = one caller)
  // LOAD_CACHE=off (default) measures every request through to IIQ; on = the SCIM read cache and response cache too
  const config = loadConfig({ LOG_LEVEL: 'silent', CACHE: CACHE, RATE_LIMIT_PER_MINUTE: '1000000', CONNECTION_RATE_LIMIT_PER_MINUTE: '1000000' });
  const app = createApp({ client, config, proxy });
  await app.ready();
  await app.membershipReady();
  const server = createServer(app.handle);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const gqlBody = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });
  const headers = { 'content-type': 'application/json' };
  const requests = [
    { method: 'POST', path: '/graphql', headers, body: gqlBody('{ users(first: 20) { totalCount edges { node { userName displayName roles(first: 5) { edges { acquired node { name } } } } } } }') },
    { method: 'POST', path: '/graphql', headers, body: gqlBody('query ($n: String) { user(userName: $n) { userName email manager { userName } } }', { n: 'Amy.Hicks' }) },
    { method: 'POST', path: '/graphql', headers, body: gqlBody('{ role(name: "Employee Baseline") { name members(first: 10) { totalCount edges { node { userName } } } } }') },
    { method: 'GET', path: '/unified/user-directory/users?limit=20' },
    { method: 'GET', path: '/proxy/scim/v2/Users?count=10&attributes=userName' },
  ];

  // warm-up (JIT, caches, sockets), then the baseline heap
  await autocannon({ url: origin, requests, connections: 4, duration: 5, overallRate: 100 });
  const heapBefore = heapMb();
  let heapPeak = heapBefore;
  const sampler = setInterval(() => {
    heapPeak = Math.max(heapPeak, Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10);
  }, 500);
  const r = await autocannon({ url: origin, requests, connections: CONNECTIONS, duration: SECONDS, overallRate: RATE, timeout: 10 });
  clearInterval(sampler);
  const heapAfter = heapMb();
  const upstream = (await (await fetch(`${origin}/healthz/upstream`)).json()) as { circuit: string; failures: number; rejected: number };

  await app.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await client.close();
  await proxy.close();
  sim.child.kill('SIGTERM');

  const total = r.requests.total;
  const failed = r.errors + r.timeouts + r.non2xx;
  const metrics = {
    cache: CACHE,
    seconds: SECONDS,
    targetRatePerSecond: RATE,
    connections: CONNECTIONS,
    requests: total,
    achievedRatePerSecond: Math.round((total / r.duration) * 10) / 10,
    errorRatePercent: total ? Math.round((failed / total) * 10_000) / 100 : 0,
    non2xx: r.non2xx,
    socketErrors: r.errors,
    timeouts: r.timeouts,
    latencyP50Ms: r.latency.p50,
    latencyP90Ms: r.latency.p90,
    latencyP99Ms: r.latency.p99,
    latencyMaxMs: r.latency.max,
    heapBeforeMb: heapBefore,
    heapPeakMb: heapPeak,
    heapAfterMb: heapAfter,
    heapGrowthMb: Math.round((heapAfter - heapBefore) * 10) / 10,
    circuitAtEnd: upstream.circuit,
    upstreamFailures: upstream.failures,
    guardRejections: upstream.rejected,
  };
  console.log(JSON.stringify(metrics, null, 2));
  return metrics;
}
