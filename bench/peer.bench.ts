// Side by side with the peer (issue #10): iiq-graph and GraphQL Mesh (compose-cli 1.8 + @omnigraph/openapi,
// composed from IIQ's OpenAPI document) served by Hive Gateway 2.x (@graphql-mesh/transport-rest), asked the
// same logical questions against the same upstream: a server replaying recorded simulator answers instantly,
// so what is measured is each gateway's own cost. Every process is separate: simulator, replay, gateway under
// test, and autocannon here.
//   - upstream requests per question, and how they grow with rows (10 / 50 / 100 users with role details);
//   - throughput, p50/p99 and CPU per query at fixed concurrency on the 100-user page (ours uncached and
//     cached, and the peer), as ratios.
// Run: npm run bench -- peer   (BENCH_USERS, BENCH_PEER_SECONDS, BENCH_CONNECTIONS to adjust)
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { composePeer } from './peer/hive.ts';
import { cpuMsOf, startChild, stopChild, type Started } from './peer/processes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const USERS = Number(process.env.BENCH_USERS ?? 2000);
const SECONDS = Number(process.env.BENCH_PEER_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
/** both gateways run with the same NODE_ENV (BENCH_GATEWAY_NODE_ENV; production by default, as deployed) */
const GATEWAY_NODE_ENV = process.env.BENCH_GATEWAY_NODE_ENV ?? 'production';

const SP = 'urn:ietf:params:scim:schemas:sailpoint:1.0:User';
/** The same logical questions in each gateway's schema. */
const QUESTIONS = {
  /** a 100-user page: ~8 scalar fields and each user's roles (name, type, how acquired) */
  page: {
    ours: `{ users(first: 100) { totalCount edges { node { id userName displayName givenName familyName email active riskScore isManager
      roles { edges { acquired node { name type { name } } } } } } } }`,
    peer: `{ getUsers(count: 100, sortBy: "userName", attributes: "userName,displayName,name,emails,active,${SP}:riskScore,${SP}:isManager,${SP}:roles") {
      totalResults Resources { id userName displayName name { givenName familyName } emails { value } active
      urn_ietf_params_scim_schemas_sailpoint_1_0_User { riskScore isManager roles { display type acquired } } } } }`,
  },
  /** n users with role details the user record does not carry (the role's owner) */
  roleDetails: (n: number) => ({
    ours: `{ users(first: ${n}) { edges { node { userName roles { edges { node { name owner { userName } } } } } } } }`,
    peer: `{ getUsers(count: ${n}, sortBy: "userName", attributes: "userName,${SP}:roles") {
      Resources { userName urn_ietf_params_scim_schemas_sailpoint_1_0_User { roles { display role } } } } }`,
  }),
};

type Out = Record<string, number | string | boolean>;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function post(url: string, query: string): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  if (res.status !== 200 || body.errors) throw new Error(`${url}: HTTP ${res.status} ${JSON.stringify(body.errors ?? body).slice(0, 400)}`);
  return body.data;
}

async function upstreamCount(adminUrl: string, fn: () => Promise<unknown>): Promise<{ total: number; byPath: Record<string, number> }> {
  await (await fetch(adminUrl, { method: 'DELETE' })).arrayBuffer();
  await fn();
  return (await (await fetch(adminUrl)).json()) as { total: number; byPath: Record<string, number> };
}

async function load(gateway: Started, url: string, query: string, seconds: number) {
  const cpu0 = cpuMsOf(gateway.child.pid!);
  const r = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    connections: CONNECTIONS,
    duration: seconds,
  });
  const cpu = cpuMsOf(gateway.child.pid!) - cpu0;
  const ok = r['2xx'];
  return {
    qps: round(ok / seconds, 1),
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpuMsPerQuery: round(cpu / Math.max(1, ok), 3),
    errors: r.errors + r.non2xx + r.timeouts,
  };
}

export default async function run(): Promise<Out> {
  const out: Out = { users: USERS, connections: CONNECTIONS, secondsPerRun: SECONDS, cores: (await import('node:os')).availableParallelism(), gatewayNodeEnv: GATEWAY_NODE_ENV };
  const simIndex = pathToFileURL(join(root, 'simulator', 'index.ts')).href;
  const sim = await startChild(
    ['--input-type=module', '-e', `
      const { createSimulator } = await import(${JSON.stringify(simIndex)});
      const sim = createSimulator({ users: ${USERS}, seed: 42, profile: 'zero' });
      const { baseUrl } = await sim.listen(0, '127.0.0.1');
      process.stdout.write('SIM ' + baseUrl + '\\n');
      process.on('SIGTERM', () => sim.close().then(() => process.exit(0)));`],
    /SIM (\S+)\n/,
    root,
  );
  const replay = await startChild([join(here, 'peer', 'replay.ts'), sim.match[1]!], /REPLAY (\S+) (\S+)\n/, root);
  const [, baseUrl, adminUrl] = replay.match as unknown as [string, string, string];
  const t = Date.now();
  const supergraph = composePeer();
  out['peer.composeSeconds'] = round((Date.now() - t) / 1000, 1);

  const subjects = [
    { name: 'ours.uncached', args: [join(here, 'peer', 'serve.ts'), 'ours', baseUrl, 'off'], side: 'ours' as const },
    { name: 'ours.cached', args: [join(here, 'peer', 'serve.ts'), 'ours', baseUrl, 'on'], side: 'ours' as const },
    { name: 'peer', args: [join(here, 'peer', 'serve.ts'), 'peer', baseUrl, supergraph], side: 'peer' as const },
  ];
  const firstNames: Record<string, string> = {};
  try {
    for (const s of subjects) {
      const gw = await startChild(s.args, /GATEWAY (\S+)\n/, root, { ...process.env, NODE_ENV: GATEWAY_NODE_ENV });
      const url = gw.match[1]!;
      try {
        const page = QUESTIONS.page[s.side];
        // warm-up: records every upstream answer in the replay server, JIT-compiles both gateways
        for (let i = 0; i < 5; i++) await post(url, page);
        for (const n of [10, 50, 100]) for (let i = 0; i < 2; i++) await post(url, QUESTIONS.roleDetails(n)[s.side]);
        const data = await post(url, page);
        firstNames[s.name] = s.side === 'ours' ? data.users.edges[0].node.userName : data.getUsers.Resources[0].userName;
        out[`${s.name}.page.upstreamRequests`] = (await upstreamCount(adminUrl, () => post(url, page))).total;
        for (const n of [10, 50, 100]) {
          const c = await upstreamCount(adminUrl, () => post(url, QUESTIONS.roleDetails(n)[s.side]));
          out[`${s.name}.roleDetails${n}.upstreamRequests`] = c.total;
        }
        const l = await load(gw, url, page, SECONDS);
        out[`${s.name}.page.qps`] = l.qps;
        out[`${s.name}.page.p50Ms`] = l.p50;
        out[`${s.name}.page.p99Ms`] = l.p99;
        out[`${s.name}.page.cpuMsPerQuery`] = l.cpuMsPerQuery;
        out[`${s.name}.page.errors`] = l.errors;
        const d = await load(gw, url, QUESTIONS.roleDetails(100)[s.side], Math.max(2, Math.round(SECONDS / 2)));
        out[`${s.name}.roleDetails100.qps`] = d.qps;
        out[`${s.name}.roleDetails100.p50Ms`] = d.p50;
        out[`${s.name}.roleDetails100.errors`] = d.errors;
      } finally {
        await stopChild(gw.child);
      }
    }
  } finally {
    await stopChild(replay.child);
    await stopChild(sim.child);
  }
  const n = (k: string) => Number(out[k]);
  out['sameAnswer (first userName of the page)'] = new Set(Object.values(firstNames)).size === 1;
  out['ratio.throughput.oursUncached/peer'] = round(n('ours.uncached.page.qps') / n('peer.page.qps'));
  out['ratio.throughput.oursCached/peer'] = round(n('ours.cached.page.qps') / n('peer.page.qps'));
  out['ratio.p50.oursUncached/peer'] = round(n('ours.uncached.page.p50Ms') / n('peer.page.p50Ms'));
  out['ratio.cpuPerQuery.oursUncached/peer'] = round(n('ours.uncached.page.cpuMsPerQuery') / n('peer.page.cpuMsPerQuery'));
  out['ratio.upstreamRequests.roleDetails100.ours/peer'] = round(n('ours.uncached.roleDetails100.upstreamRequests') / n('peer.roleDetails100.upstreamRequests'), 3);
  out['ratio.throughput.roleDetails100.oursUncached/peer'] = round(n('ours.uncached.roleDetails100.qps') / n('peer.roleDetails100.qps'));
  out['target.throughputAtLeast5xPeer'] = n('ours.uncached.page.qps') >= 5 * n('peer.page.qps');
  out['target.ownCpuAtMost3msPerQuery'] = n('ours.uncached.page.cpuMsPerQuery') <= 3;
  return out;
}
