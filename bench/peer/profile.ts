// Profiles iiq-graph (uncached) serving the replayed 100-user page under load: writes a .cpuprofile
// (open it in Chrome DevTools) and prints the functions with the most self time.
// Run: npx tsx bench/peer/profile.ts [seconds]
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { printSelfTime, type CpuProfile } from './cpuprofile.ts';
import { startChild, stopChild } from './processes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const dir = join(tmpdir(), 'iiq-graph-profile');
const seconds = Number(process.argv[2] ?? 5);
const query = `{ users(first: 100) { totalCount edges { node { id userName displayName givenName familyName email active riskScore isManager
  roles { edges { acquired node { name type { name } } } } } } } }`;

const simIndex = pathToFileURL(join(root, 'simulator', 'index.ts')).href;
const sim = await startChild(['--input-type=module', '-e', `
  const { createSimulator } = await import(${JSON.stringify(simIndex)});
  const sim = createSimulator({ users: 500, seed: 42, profile: 'zero' });
  const { baseUrl } = await sim.listen(0, '127.0.0.1');
  process.stdout.write('SIM ' + baseUrl + '\\n');
  process.on('SIGTERM', () => sim.close().then(() => process.exit(0)));`], /SIM (\S+)\n/, root);
const replay = await startChild([join(here, 'replay.ts'), sim.match[1]!], /REPLAY (\S+) (\S+)\n/, root);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const gw = await startChild(['--cpu-prof', `--cpu-prof-dir=${dir}`, join(here, 'serve.ts'), 'ours', replay.match[1]!, 'off'], /GATEWAY (\S+)\n/, root);
const url = gw.match[1]!;
for (let i = 0; i < 50; i++) await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).arrayBuffer();
const r = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }), connections: 8, duration: seconds });
console.log(`qps ${(r['2xx'] / seconds).toFixed(1)}  p50 ${r.latency.p50} ms`);
await stopChild(gw.child);
await stopChild(replay.child);
await stopChild(sim.child);

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
console.log(`profile: ${join(dir, file)}`);
printSelfTime(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, 35);
