// Benchmark of the gateway (issue #4):
//  (a) upstream requests for the issue's query and variants (cold / warm role catalog, owner, members, deep);
//  (b) the gateway's own cost for users(first: 100) with ~10 scalar fields + roles against the zero-latency
//      simulator: CPU ms per query in the gateway process (target <= 3 ms), beside the raw SCIM request;
//  (c) with the simulator's `realistic` profile: gateway p50 / raw SCIM p50, measured interleaved (target <= 1.1),
//      and again with a warm SCIM read cache (target <= 0.2). (a)-(c) without the cache unless named.
// The simulator runs in a CHILD process so that its CPU is not counted as the gateway's.
// Run: npx tsx bench/run.ts gateway   (BENCH_USERS, BENCH_ITERATIONS, BENCH_REALISTIC_ITERATIONS to adjust)
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createApp, type App } from '../src/app.ts';
import { loadGraphqlJit } from '../src/graphql/jit.ts';
import { loadConfig } from '../src/config.ts';
import { createIiqClient } from '../src/iiq/client.ts';
import type { IiqClient, UserField } from '../src/iiq/types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const USERS = Number(process.env.BENCH_USERS ?? 2000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const REALISTIC_ITERATIONS = Number(process.env.BENCH_REALISTIC_ITERATIONS ?? 25);

export const ISSUE_QUERY = `{ users(first: 100) { edges { node { userName roles { edges { acquired node { name type { name } } } } } } } }`;
const WITH_OWNER = `{ users(first: 100) { edges { node { userName roles { edges { acquired node { name type { name } owner { userName } } } } } } } }`;
const WITH_MEMBERS = `{ users(first: 100) { edges { node { userName roles { edges { node { name members(first: 10) { totalCount edges { node { userName } } } } } } } } } }`;
const WITH_MEMBER_DETAILS = `{ users(first: 100) { edges { node { userName roles { edges { node { name members(first: 10) { edges { node { userName displayName email } } } } } } } } } }`;
const DEEP = `query($n: String!) { user(userName: $n) { userName roles(first: 5) { edges { node { name
  members(first: 5) { edges { node { userName manager { userName directReports(first: 10) { totalCount edges { node { userName } } } } } } } } } } } }`;
const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { userName displayName email roles(first: 5) { edges { node { name } } } } } }`;
const PAGE_FIELDS = ['userName', 'displayName', 'givenName', 'familyName', 'email', 'active', 'riskScore', 'isManager', 'custom:department', 'custom:jobtitle'] satisfies UserField[];
/** ~10 scalar fields plus roles: the page measured in (b) and (c) */
export const PAGE_QUERY = `{ users(first: 100) { totalCount edges { cursor node { id userName displayName givenName familyName email active
  riskScore isManager department jobTitle roles { edges { acquired node { name type { name } } } } } } } }`;

interface SimProcess {
  child: ChildProcess;
  url: string;
  baseUrl: string;
}

function startSimulator(profile: 'zero' | 'realistic'): Promise<SimProcess> {
  const simIndex = pathToFileURL(join(here, '..', 'simulator', 'index.ts')).href;
  const code = `
    const { createSimulator } = await import(${JSON.stringify(simIndex)});
    const sim = createSimulator({ users: ${USERS}, seed: 42, profile: '${profile}', admin: true });
    const { url, baseUrl } = await sim.listen(0, '127.0.0.1');
    process.stdout.write('SIM ' + url + ' ' + baseUrl + '\\n');
    process.on('SIGTERM', () => sim.close().then(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /SIM (\S+) (\S+)/.exec(buf);
      if (m) resolve({ child, url: m[1]!, baseUrl: m[2]! });
    });
    child.on('exit', (c) => reject(new Error(`simulator exited early (${c})`)));
  });
}

interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
}

async function upstreamRequests(sim: SimProcess): Promise<RequestRecord[]> {
  const res = await fetch(`${sim.url}/__admin/requests`);
  return ((await res.json()) as { records: RequestRecord[] }).records.filter((r) => r.path !== '/oauth2/token');
}
async function resetRequests(sim: SimProcess): Promise<void> {
  await (await fetch(`${sim.url}/__admin/requests`, { method: 'DELETE' })).arrayBuffer();
}

async function gql(app: App, query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: unknown[] }> {
  const res = await app.fetch(new Request('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }));
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body;
}

/** cache 'off': what every query costs upstream; 'warm': the SCIM read cache on, TTLs longer than the run */
function gateway(sim: SimProcess, cache: 'off' | 'warm' = 'off'): { app: App; client: IiqClient } {
  const client = createIiqClient({ baseUrl: sim.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, proxy: null });
  const env = cache === 'off' ? { CACHE: 'off' } : { CACHE: 'on', CACHE_TTL_USERS: '3600', CACHE_TTL_LISTS: '3600' };
  // request limits are not under test here: the deep queries measure upstream requests
  const app = createApp({ client, config: loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0', CONNECTION_RATE_LIMIT_PER_MINUTE: '0', MAX_COST: '100000000', ...env }) });
  return { app, client };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** The SCIM request the gateway makes for PAGE_QUERY, replayed raw (HTTP + JSON.parse only). */
async function rawRequestFor(app: App, sim: SimProcess): Promise<() => Promise<unknown>> {
  await resetRequests(sim);
  await gql(app, PAGE_QUERY);
  const list = (await upstreamRequests(sim)).find((r) => r.path === '/Users');
  if (!list) throw new Error('no /Users request recorded');
  const url = `${sim.baseUrl}/Users?${new URLSearchParams(list.query).toString()}`;
  const auth = `Basic ${Buffer.from('spadmin:admin').toString('base64')}`;
  return async () => {
    const res = await fetch(url, { headers: { authorization: auth, accept: 'application/scim+json' } });
    return JSON.parse(await res.text());
  };
}

async function countRequests(sim: SimProcess, fn: () => Promise<unknown>): Promise<number> {
  await resetRequests(sim);
  await fn();
  return (await upstreamRequests(sim)).length;
}

export default async function run(): Promise<Record<string, number | string | boolean>> {
  const out: Record<string, number | string | boolean> = { users: USERS, executor: (await loadGraphqlJit()) ? 'graphql-jit' : 'graphql-js' };

  // ---- (a) + (b): zero-latency simulator -------------------------------------------------------------------
  const zero = await startSimulator('zero');
  const { app, client } = gateway(zero);
  try {
    await client.serviceProviderConfig(); // discovery: once per client, not per query
    await gql(app, `{ users(first: 1) { edges { node { attributes } } } }`);
    app.connection.catalog.invalidate();
    out['requests.issueQuery.coldCatalog'] = await countRequests(zero, () => gql(app, ISSUE_QUERY));
    out['requests.issueQuery.warmCatalog'] = await countRequests(zero, () => gql(app, ISSUE_QUERY));
    await gql(app, WITH_OWNER); // the client learns once whether `id` is filterable
    out['requests.withOwner'] = await countRequests(zero, () => gql(app, WITH_OWNER));
    await app.ready();
    await app.membershipReady();
    out['requests.withOwner.indexReady'] = await countRequests(zero, () => gql(app, WITH_OWNER)); // id -> userName from the index
    out['requests.withMembers.userNameOnly'] = await countRequests(zero, () => gql(app, WITH_MEMBERS));
    out['requests.withMembers.details'] = await countRequests(zero, () => gql(app, WITH_MEMBER_DETAILS));
    const someone = (await gql(app, `{ users(first: 1, filter: { isManager: false }) { edges { node { userName } } } }`)).data.users.edges[0].node.userName;
    out['requests.deepTraversal'] = await countRequests(zero, () => gql(app, DEEP, { n: someone }));
    // federation: 50 user references resolved through _entities (what a router sends for another subgraph's users)
    const names = (await gql(app, `{ users(first: 50) { edges { node { userName } } } }`)).data.users.edges.map((e: { node: { userName: string } }) => e.node.userName);
    out['requests.entities50WithRoles'] = await countRequests(zero, () =>
      gql(app, ENTITIES, { r: names.map((userName: string) => ({ __typename: 'User', userName })) }),
    );

    // (b) own cost: CPU time in this process per query, beside the raw request, in alternating rounds (medians)
    const raw = await rawRequestFor(app, zero);
    const recorded = await client.listUsers({ count: 100, fields: PAGE_FIELDS, includeRoles: true });
    // the GraphQL layer alone: an upstream replaying one recorded 100-user page instantly
    const replay = new Proxy(client, {
      get: (target, prop, receiver) => (prop === 'listUsers' ? async () => recorded : Reflect.get(target, prop, receiver)),
    }) as IiqClient;
    const replayApp = createApp({ client: replay, config: loadConfig({ LOG_LEVEL: 'silent', CACHE: 'off', MAX_COST: '100000000' }) });
    const standardApp = createApp({ client: replay, config: loadConfig({ LOG_LEVEL: 'silent', CACHE: 'off', MAX_COST: '100000000' }), executor: 'standard' });
    const measure = async (fn: () => Promise<unknown>, n: number) => {
      const cpu = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < n; i++) await fn();
      return { cpu: cpuMs(process.cpuUsage(cpu)) / n, wall: (performance.now() - t) / n };
    };
    const subjects = {
      raw: () => raw(),
      client: () => client.listUsers({ count: 100, fields: PAGE_FIELDS, includeRoles: true }),
      gateway: () => gql(app, PAGE_QUERY),
      graphqlLayer: () => gql(replayApp, PAGE_QUERY),
      graphqlLayerStandard: () => gql(standardApp, PAGE_QUERY),
    };
    const samples: Record<keyof typeof subjects, { cpu: number[]; wall: number[] }> = {
      raw: { cpu: [], wall: [] }, client: { cpu: [], wall: [] }, gateway: { cpu: [], wall: [] }, graphqlLayer: { cpu: [], wall: [] }, graphqlLayerStandard: { cpu: [], wall: [] },
    };
    for (const fn of Object.values(subjects)) await measure(fn, 30); // warm-up (JIT compilers, caches)
    const ROUNDS = 5;
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, fn] of Object.entries(subjects) as [keyof typeof subjects, () => Promise<unknown>][]) {
        const m = await measure(fn, Math.ceil(ITERATIONS / ROUNDS));
        samples[name].cpu.push(m.cpu);
        samples[name].wall.push(m.wall);
      }
    }
    await replayApp.close();
    await standardApp.close();
    const med = (xs: number[]) => pct(xs, 50);
    const cpuOf = (k: keyof typeof subjects) => med(samples[k].cpu);
    const wallOf = (k: keyof typeof subjects) => med(samples[k].wall);
    out['zero.rawScim.cpuMsPerRequest'] = round(cpuOf('raw'));
    out['zero.rawScim.wallMsPerRequest'] = round(wallOf('raw'));
    out['zero.client.cpuMsPerPage'] = round(cpuOf('client'));
    out['zero.gateway.cpuMsPerQuery'] = round(cpuOf('gateway'));
    out['zero.gateway.wallMsPerQuery'] = round(wallOf('gateway'));
    out['zero.gateway.ownCpuMsPerQuery (gateway - raw request)'] = round(cpuOf('gateway') - cpuOf('raw'));
    out['zero.graphqlLayer.cpuMsPerQuery (recorded page)'] = round(cpuOf('graphqlLayer'));
    out['zero.graphqlLayer.cpuMsPerQuery (recorded page, graphql-js executor)'] = round(cpuOf('graphqlLayerStandard'));
    out['zero.gateway.queriesPerSecondOneCore'] = Math.round(1000 / cpuOf('gateway'));
    out['zero.target.graphqlLayerAtMost3ms'] = cpuOf('graphqlLayer') <= 3;
    out['zero.target.ownCostAtMost3ms'] = cpuOf('gateway') - cpuOf('raw') <= 3;
  } finally {
    await app.close();
    await client.close();
    zero.child.kill('SIGTERM');
  }

  // ---- (c): realistic latency, interleaved --------------------------------------------------------------
  const realistic = await startSimulator('realistic');
  const gw2 = gateway(realistic);
  try {
    await gw2.client.serviceProviderConfig();
    const raw = await rawRequestFor(gw2.app, realistic); // also warms the role catalog
    await raw();
    const rawTimes: number[] = [];
    const gwTimes: number[] = [];
    for (let i = 0; i < REALISTIC_ITERATIONS; i++) {
      let t = performance.now();
      await raw();
      rawTimes.push(performance.now() - t);
      t = performance.now();
      await gql(gw2.app, PAGE_QUERY);
      gwTimes.push(performance.now() - t);
    }
    const rawP50 = pct(rawTimes, 50);
    const gwP50 = pct(gwTimes, 50);
    out['realistic.rawScim.p50Ms'] = round(rawP50, 1);
    out['realistic.gateway.p50Ms'] = round(gwP50, 1);
    out['realistic.gateway.p95Ms'] = round(pct(gwTimes, 95), 1);
    out['realistic.ratio.gatewayP50/rawP50'] = round(gwP50 / rawP50);
    out['realistic.target.ratioAtMost1.1'] = gwP50 / rawP50 <= 1.1;

    // the same page with a warm SCIM read cache, interleaved with the raw request again
    const warm = gateway(realistic, 'warm');
    try {
      await warm.client.serviceProviderConfig();
      await gql(warm.app, PAGE_QUERY); // fills the cache
      const rawWarm: number[] = [];
      const gwWarm: number[] = [];
      for (let i = 0; i < REALISTIC_ITERATIONS; i++) {
        let t = performance.now();
        await raw();
        rawWarm.push(performance.now() - t);
        t = performance.now();
        await gql(warm.app, PAGE_QUERY);
        gwWarm.push(performance.now() - t);
      }
      const ratio = pct(gwWarm, 50) / pct(rawWarm, 50);
      out['realistic.warmCache.rawScim.p50Ms'] = round(pct(rawWarm, 50), 1);
      out['realistic.warmCache.gateway.p50Ms'] = round(pct(gwWarm, 50), 2);
      out['realistic.warmCache.ratio.gatewayP50/rawP50'] = round(ratio);
      out['realistic.warmCache.target.ratioAtMost0.2'] = ratio <= 0.2;
    } finally {
      await warm.app.close();
      await warm.client.close();
    }
  } finally {
    await gw2.app.close();
    await gw2.client.close();
    realistic.child.kill('SIGTERM');
  }
  return out;
}
