// The GraphQL layer's own cost, in process: the 100-user page (replayed from one recorded upstream answer) and a
// tiny query (one user and its role names), CPU ms per query (process.cpuUsage) over N iterations, median of
// rounds. BREAKDOWN_PROF=1 also writes a CPU profile and prints self time grouped by package / source file.
// Run: npx tsx bench/peer/breakdown.ts [iterations]
import { Session } from 'node:inspector/promises';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createIiqClient } from '../../src/iiq/client.ts';
import type { IiqClient, UserField } from '../../src/iiq/types.ts';
import { printSelfTime, type CpuProfile } from './cpuprofile.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const N = Number(process.argv[2] ?? 300);
const PAGE_FIELDS = ['userName', 'displayName', 'givenName', 'familyName', 'email', 'active', 'riskScore', 'isManager', 'custom:department', 'custom:jobtitle'] satisfies UserField[];
export const PAGE_QUERY = `{ users(first: 100) { totalCount edges { cursor node { id userName displayName givenName familyName email active
  riskScore isManager department jobTitle roles { edges { acquired node { name type { name } } } } } } } }`;
export const TINY_QUERY = (userName: string) => `{ user(userName: ${JSON.stringify(userName)}) { userName roles { edges { node { name } } } } }`;

const simIndex = pathToFileURL(join(root, 'simulator', 'index.ts')).href;
const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
  const { createSimulator } = await import(${JSON.stringify(simIndex)});
  const sim = createSimulator({ users: 500, seed: 42, profile: 'zero' });
  const { baseUrl } = await sim.listen(0, '127.0.0.1');
  process.stdout.write('SIM ' + baseUrl + '\\n');
  process.on('SIGTERM', () => sim.close().then(() => process.exit(0)));`], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const baseUrl = await new Promise<string>((resolve) => {
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const m = /SIM (\S+)\n/.exec(buf);
    if (m) resolve(m[1]!);
  });
});

const client = createIiqClient({ baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, proxy: null });
await client.serviceProviderConfig();
const recorded = await client.listUsers({ count: 100, fields: PAGE_FIELDS, includeRoles: true });
const one = recorded.items[0]!;
// an upstream that answers instantly: the recorded page, and its first user for lookups by userName
const replay = new Proxy(client, {
  get: (target, prop, receiver) => {
    if (prop === 'listUsers') return async (q: { filter?: unknown }) => (q?.filter ? { ...recorded, totalResults: 1, items: [one] } : recorded);
    if (prop === 'getUser' || prop === 'getUserByName') return async () => one;
    if (prop === 'getUsersByNames' || prop === 'getUsersByIds') return async (keys: readonly string[]) => keys.map(() => one);
    return Reflect.get(target, prop, receiver);
  },
}) as IiqClient;

const variants: Record<string, Record<string, string>> = {
  default: {},
};
const extra = process.env.BREAKDOWN_ENV ? (JSON.parse(process.env.BREAKDOWN_ENV) as Record<string, Record<string, string>>) : {};
Object.assign(variants, extra);
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
async function gql(app: App, query: string): Promise<void> {
  const res = await app.fetch(new Request('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }));
  const body = (await res.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 400));
}
const apps: Record<string, App> = {};
for (const [name, env] of Object.entries(variants)) {
  apps[name] = createApp({ client: replay, config: loadConfig({ LOG_LEVEL: 'silent', CACHE: 'off', RATE_LIMIT_PER_MINUTE: '0', CONNECTION_RATE_LIMIT_PER_MINUTE: '0', ...env }), ...(env.EXECUTOR === 'standard' ? { executor: 'standard' as const } : {}) });
  await apps[name].connection.catalog.get();
}
const tiny = TINY_QUERY(one.userName);
const queries = { page: PAGE_QUERY, tiny };
const session = process.env.BREAKDOWN_PROF ? new Session() : null;
for (const app of Object.values(apps)) for (const q of Object.values(queries)) for (let i = 0; i < 50; i++) await gql(app, q);
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
}
const results: Record<string, number[]> = {};
for (let round = 0; round < 5; round++) {
  for (const [an, app] of Object.entries(apps)) {
    for (const [qn, q] of Object.entries(queries)) {
      const n = qn === 'tiny' ? N * 3 : N;
      const c = process.cpuUsage();
      for (let i = 0; i < Math.ceil(n / 5); i++) await gql(app, q);
      (results[`${an}.${qn}`] ??= []).push(cpuMs(process.cpuUsage(c)) / Math.ceil(n / 5));
    }
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [k, xs] of Object.entries(results)) console.log(`${k.padEnd(36)} ${med(xs).toFixed(3)} ms CPU/query  (rounds ${xs.map((x) => x.toFixed(2)).join(' ')})`);
if (session) {
  const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
  printSelfTime(profile, 40, true);
}
for (const app of Object.values(apps)) await app.close();
await client.close();
child.kill('SIGTERM');
