// Benchmark (issues #4, #10): the SCIM client's ingest of ONE recorded 100-user page with roles — the page the
// gateway asks for PAGE_QUERY (bench/gateway.bench.ts: ~10 scalar fields + roles, same `attributes`).
// The page is recorded from the simulator (zero profile, seed 42, 2,000 users: same bytes every run), then:
//  - stages in this process, CPU time (process.cpuUsage) per page over BENCH_INGEST_ITERATIONS (≥ 1,000):
//      decode (bytes → string) · JSON.parse · validate+map (zod ListResponse + 100 Users → IiqUser models) · all
//  - the client end to end (`listUsers`, undici request + body read + the above) against a replay server in a
//    CHILD process that answers the recorded bytes instantly (its CPU is not counted here).
// Medians of ROUNDS alternating rounds; the machine is shared, so compare runs made close together.
// Run: npx tsx bench/run.ts ingest    (BENCH_INGEST_ITERATIONS to adjust)
// Instruction counts (stable on a loaded machine): valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//   node --import tsx bench/ingest.bench.ts --stage ingest --iterations 300; minus the same with --stage none
//   --iterations 0, divided by 300 = instructions per page (fewer iterations: JIT warm-up skews the count)
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { request } from 'undici';
import { decodeUtf8 } from '../src/iiq/body.ts';
import { createIiqClient } from '../src/iiq/client.ts';
import { parseUserPage } from '../src/iiq/ingest.ts';
import type { UserField } from '../src/iiq/types.ts';
import { createSimulator } from '../simulator/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const ITERATIONS = Math.max(1000, Number(process.env.BENCH_INGEST_ITERATIONS ?? 2000));
const ROUNDS = 5;
/** the fields of bench/gateway.bench.ts PAGE_QUERY, as the gateway passes them to the client */
const PAGE_FIELDS = ['userName', 'displayName', 'givenName', 'familyName', 'email', 'active', 'riskScore', 'isManager', 'custom:department', 'custom:jobtitle'] satisfies UserField[];
const REQUESTED = { roles: true, entitlements: false };

interface Recording {
  /** the /Users request's query string, as the client sent it */
  query: string;
  page: Buffer;
  spc: Buffer;
}

/** One real page from the simulator: the client's own request, replayed raw to capture the bytes. */
async function record(): Promise<Recording> {
  const sim = createSimulator({ users: 2000, seed: 42, profile: 'zero' });
  const { baseUrl } = await sim.listen(0, '127.0.0.1');
  const client = createIiqClient({ baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, proxy: null });
  try {
    await client.listUsers({ count: 100, fields: PAGE_FIELDS, includeRoles: true });
    const list = sim.requests.list().find((r) => r.path === '/Users');
    if (!list) throw new Error('no /Users request recorded');
    const query = new URLSearchParams(list.query).toString();
    const auth = `Basic ${Buffer.from('spadmin:admin').toString('base64')}`;
    const get = async (path: string) => {
      const res = await request(`${baseUrl}${path}`, { headers: { authorization: auth, accept: 'application/scim+json' } });
      if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode}`);
      return Buffer.from(await res.body.arrayBuffer());
    };
    return { query, page: await get(`/Users?${query}`), spc: await get('/ServiceProviderConfig') };
  } finally {
    await client.close();
    await sim.close();
  }
}

/** A child process answering the recorded bytes instantly (SPC for /ServiceProviderConfig, the page otherwise). */
function startReplay(rec: Recording, dir: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  const pageFile = join(dir, 'page.json');
  const spcFile = join(dir, 'spc.json');
  writeFileSync(pageFile, rec.page);
  writeFileSync(spcFile, rec.spc);
  const code = `
    const http = require('node:http');
    const fs = require('node:fs');
    const page = fs.readFileSync(${JSON.stringify(pageFile)});
    const spc = fs.readFileSync(${JSON.stringify(spcFile)});
    const server = http.createServer((req, res) => {
      const body = req.url.includes('/ServiceProviderConfig') ? spc : page;
      res.writeHead(200, { 'content-type': 'application/scim+json', 'content-length': body.length });
      res.end(body);
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => process.stdout.write('REPLAY ' + server.address().port + '\\n'));
    process.on('SIGTERM', () => process.exit(0));
  `;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /REPLAY (\d+)/.exec(buf);
      if (m) resolve({ child, baseUrl: `http://127.0.0.1:${m[1]}/identityiq/scim/v2` });
    });
    child.on('exit', (c) => reject(new Error(`replay server exited early (${c})`)));
  });
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

function stages(page: Buffer): Record<string, () => unknown> {
  const text = page.toString('utf8');
  const json = JSON.parse(text) as unknown;
  return {
    decode: () => decodeUtf8(page),
    jsonParse: () => JSON.parse(text),
    validateMap: () => parseUserPage('bench', json, REQUESTED),
    ingest: () => parseUserPage('bench', JSON.parse(decodeUtf8(page)), REQUESTED),
  };
}

export default async function run(): Promise<Record<string, number | string | boolean>> {
  const rec = await record();
  const out: Record<string, number | string | boolean> = {
    pageBytes: rec.page.length,
    // the simulator's port appears in every $ref: hashed without it, the page is the same on every run
    pageSha256: createHash('sha256').update(rec.page.toString('latin1').replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://sim')).digest('hex').slice(0, 16),
    attributes: new URLSearchParams(rec.query).get('attributes') ?? '',
    iterations: ITERATIONS,
  };
  const sample = parseUserPage('bench', JSON.parse(decodeUtf8(rec.page)), REQUESTED);
  out.users = sample.items.length;
  out.roleAssignments = sample.items.reduce((n, u) => n + (u.roles?.length ?? 0), 0);

  const dir = mkdtempSync(join(tmpdir(), 'iiq-ingest-'));
  const replay = await startReplay(rec, dir);
  const client = createIiqClient({ baseUrl: replay.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, proxy: null });
  try {
    const sync = stages(rec.page);
    const subjects: Record<string, () => unknown> = {
      ...sync,
      clientListUsers: () => client.listUsers({ count: 100, fields: PAGE_FIELDS, includeRoles: true }),
    };
    const measure = async (fn: () => unknown, n: number) => {
      const start = process.cpuUsage();
      for (let i = 0; i < n; i++) await fn();
      return cpuMs(process.cpuUsage(start)) / n;
    };
    for (const fn of Object.values(subjects)) await measure(fn, 200); // warm-up (JIT tiers)
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, fn] of Object.entries(subjects)) {
        // the HTTP round trip is ~10x a stage: fewer iterations keep the run short (still ≥ 1,000 in total)
        samples[name]!.push(await measure(fn, name === 'clientListUsers' ? Math.ceil(1000 / ROUNDS) : Math.ceil(ITERATIONS / ROUNDS)));
      }
    }
    for (const [name, xs] of Object.entries(samples)) out[`cpuMsPerPage.${name}`] = round(median(xs));
    out['cpuMsPerPage.clientListUsers minus ingest (request + body read)'] = round(median(samples.clientListUsers!) - median(samples.ingest!));
    out.loadAverage1m = round((await import('node:os')).loadavg()[0]!, 2);
  } finally {
    await client.close();
    replay.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

// Direct run for instruction counting: one stage, a fixed number of iterations, no timing.
const argv = process.argv;
if (import.meta.url === pathToFileURL(argv[1] ?? '').href && argv.includes('--stage')) {
  const stage = argv[argv.indexOf('--stage') + 1]!;
  const n = argv.includes('--iterations') ? Number(argv[argv.indexOf('--iterations') + 1]) : 200;
  const rec = await record();
  const fn = stage === 'none' ? () => undefined : stages(rec.page)[stage];
  if (!fn) throw new Error(`unknown stage ${stage}`);
  for (let i = 0; i < n; i++) fn();
  process.stdout.write(`${stage} x${n} done (${rec.page.length} bytes)\n`);
}
