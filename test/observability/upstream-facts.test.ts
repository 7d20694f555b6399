// What /metrics and the traces say about IIQ traffic are facts reported by the parts that know them: retries by
// the client (reason, attempt), pool usage by undici's Pool.stats, and an upstream request whose caller went away
// is aborted (not left running, not logged as an error). Against the simulator over real HTTP, with its faults.
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator } from '../../simulator/index.ts';
import type { SimulatorOptions } from '../../simulator/types.ts';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createIiqClient } from '../../src/iiq/client.ts';
import type { IiqClient, IiqClientOptions, IiqRetryEvent } from '../../src/iiq/types.ts';
import { metricsRegistry } from '../../src/observability/metrics.ts';
import { setupTracing, type Tracing } from '../../src/observability/tracing.ts';
import { serveApp } from '../cache/serve-app.ts';
import { startLinkedGateway, startSim, type LinkedGateway, type Sim } from '../connections/harness.ts';

const AUTH = { kind: 'basic' as const, username: 'spadmin', password: 'admin' };

interface Gw {
  origin: string;
  app: App;
  client: IiqClient;
  sim: ReturnType<typeof createSimulator>;
  /** every log line the gateway wrote (pino JSON, debug and up) */
  logs: { level: number; msg?: string }[];
  close(): Promise<void>;
}

async function gateway(sim: SimulatorOptions, client: Partial<IiqClientOptions> = {}): Promise<Gw> {
  const s = createSimulator({ users: 30, seed: 3, profile: 'zero', ...sim });
  const { baseUrl } = await s.listen(0, '127.0.0.1');
  const c = createIiqClient({ baseUrl, auth: AUTH, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, ...client });
  const logs: Gw['logs'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Gw['logs'][number]);
      done();
    },
  });
  const config = loadConfig({ LOG_LEVEL: 'debug', CACHE: 'off', DATA_DIR: mkdtempSync(join(tmpdir(), 'iiq-graph-uf-')) });
  const app = createApp({ client: c, config, logger: pino({ level: 'debug' }, sink), executor: 'standard' });
  const served = await serveApp(app);
  return {
    origin: served.origin,
    app,
    client: c,
    sim: s,
    logs,
    async close() {
      await served.close();
      await c.close();
      await s.close();
    },
  };
}

const post = (gw: Gw, query: string) =>
  fetch(`${gw.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: any; errors?: unknown } }));

/** the value of one sample of a metric, 0 when absent */
async function sample(name: string, labels: string): Promise<number> {
  const text = await metricsRegistry.getSingleMetricAsString(name);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
const retries = (reason: string) => sample('iiq_graph_upstream_retries_total', `connection="default",method="GET",reason="${reason}"`);
const pool = (stat: string) => sample('iiq_graph_upstream_pool', `connection="default",stat="${stat}"`);

const LIST = '{ users(first: 2) { edges { node { userName } } } }';

describe('retries are reported by the client', () => {
  const spans = new InMemorySpanExporter();
  let tracing: Tracing | null;
  let gw: Gw;
  beforeAll(async () => {
    tracing = setupTracing({}, new SimpleSpanProcessor(spans));
    gw = await gateway({});
  });
  afterAll(async () => {
    await gw?.close();
    await tracing?.shutdown();
  });

  it('a 503 then success: one retry, reason status, as a span event on the client call', async () => {
    const before = await retries('status');
    spans.reset();
    gw.sim.faults.inject({ type: 'status', status: 503, times: 1, pathPrefix: '/Users' });
    const res = await post(gw, LIST);
    expect(res.body.errors).toBeUndefined();
    expect(await retries('status')).toBe(before + 1);
    const call = spans.getFinishedSpans().find((s) => s.name === 'iiq.listUsers');
    const event = call?.events.find((e) => e.name === 'iiq.retry');
    expect(event?.attributes).toMatchObject({ 'iiq.retry.reason': 'status', 'iiq.retry.attempt': 1, 'http.response.status_code': 503 });
  });

  it('a 429 with Retry-After waits what IIQ asked, counted as status', async () => {
    const before = await retries('status');
    spans.reset();
    gw.sim.faults.inject({ type: 'rateLimit', retryAfter: '1', times: 1, pathPrefix: '/Users' });
    const res = await post(gw, LIST);
    expect(res.body.errors).toBeUndefined();
    expect(await retries('status')).toBe(before + 1);
    const event = spans.getFinishedSpans().find((s) => s.name === 'iiq.listUsers')?.events.find((e) => e.name === 'iiq.retry');
    expect(event?.attributes).toMatchObject({ 'http.response.status_code': 429, 'iiq.retry.delay_ms': 1000 });
  });

  it('a reset connection is reason connection', async () => {
    const conn = await retries('connection');
    gw.sim.faults.inject({ type: 'reset', times: 1, pathPrefix: '/Users' });
    expect((await post(gw, LIST)).body.errors).toBeUndefined();
    expect(await retries('connection')).toBe(conn + 1);
    expect(await retries('timeout')).toBe(0);
  });

  it('the onRetry hook sees each retry with its attempt number; a POST (not idempotent) is never retried', async () => {
    const events: IiqRetryEvent[] = [];
    const { baseUrl } = { baseUrl: gw.client.baseUrl };
    const c = createIiqClient({ baseUrl, auth: AUTH, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, onRetry: (e) => events.push(e) });
    try {
      gw.sim.faults.inject({ type: 'status', status: 502, times: 2, pathPrefix: '/Users' });
      await c.listUsers({ count: 1 });
      expect(events.map((e) => [e.operation, e.method, e.reason, e.status, e.attempt])).toEqual([
        ['listUsers', 'GET', 'status', 502, 1],
        ['listUsers', 'GET', 'status', 502, 2],
      ]);
      events.length = 0;
      gw.sim.faults.inject({ type: 'status', status: 503, times: 1, method: 'POST', pathPrefix: '/Users' });
      await expect(c.createUser({ userName: 'never.retried' })).rejects.toMatchObject({ kind: 'upstreamUnavailable' });
      expect(events).toEqual([]);
    } finally {
      gw.sim.faults.clear();
      await c.close();
    }
  });
  it('an answer slower than the headers timeout is reason timeout (undici timers tick in ~0.5 s, hence 1 s)', async () => {
    const events: IiqRetryEvent[] = [];
    const before = await sample('iiq_graph_upstream_retries_total', 'connection="unscoped",method="GET",reason="timeout"');
    const c = createIiqClient({ baseUrl: gw.client.baseUrl, auth: AUTH, timeouts: { headersMs: 1_000 }, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 }, onRetry: (e) => events.push(e) });
    try {
      gw.sim.faults.inject({ type: 'delay', delayMs: 2_500, times: 1, pathPrefix: '/Users' });
      await c.listUsers({ count: 1 });
      expect(events).toEqual([{ operation: 'listUsers', method: 'GET', reason: 'timeout', code: 'UND_ERR_HEADERS_TIMEOUT', attempt: 1, delayMs: expect.any(Number) }]);
      // a client outside any connection's scope is still counted, as unscoped
      expect(await sample('iiq_graph_upstream_retries_total', 'connection="unscoped",method="GET",reason="timeout"')).toBe(before + 1);
    } finally {
      gw.sim.faults.clear();
      await c.close();
    }
  });
});

describe('pool usage is undici Pool.stats, read at scrape time', () => {
  let gw: Gw;
  beforeAll(async () => {
    gw = await gateway({ latency: { baseMs: 400 } });
  });
  afterAll(async () => gw?.close());

  it('shows requests running while IIQ works on them, and idle connected sockets after', async () => {
    const pending = [post(gw, LIST), post(gw, LIST), post(gw, LIST)];
    // wait until the simulator has all three in hand
    for (let i = 0; i < 100 && (await pool('running')) < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await pool('running')).toBe(3);
    expect(await pool('size')).toBeGreaterThanOrEqual(3);
    expect(await pool('connected')).toBeGreaterThanOrEqual(3);
    expect(await pool('free')).toBe((await pool('connected')) - 3);
    for (const r of await Promise.all(pending)) expect(r.body.errors).toBeUndefined();
    expect(await pool('running')).toBe(0);
    expect(await pool('pending')).toBe(0);
    expect(await pool('connected')).toBeGreaterThanOrEqual(3);
    expect(await pool('free')).toBe(await pool('connected'));
  });
});

describe('a caller that goes away', () => {
  let gw: Gw;
  const errors: { path: string; name: string; at: number }[] = [];
  const onError = (m: unknown) => {
    const { request, error } = m as { request: { path: string }; error: Error };
    errors.push({ path: request.path, name: error?.name ?? String(error), at: Date.now() });
  };
  beforeAll(async () => {
    diagnostics.subscribe('undici:request:error', onError);
    gw = await gateway({});
    await gw.client.serviceProviderConfig(); // read once, shared by every call: not the request under test
  });
  afterAll(async () => {
    diagnostics.unsubscribe('undici:request:error', onError);
    await gw?.close();
  });

  it('aborts the upstream requests made for it at once; nothing is logged as an error', async () => {
    const inFlight = () => sample('iiq_graph_upstream_requests_in_flight', 'connection="default"');
    const body = JSON.stringify({ query: '{ users(first: 3) { edges { node { userName } } } }' });
    gw.sim.faults.inject({ type: 'delay', delayMs: 3_000, times: 1, pathPrefix: '/Users' });
    const req = httpRequest(`${gw.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    req.on('error', () => {}); // we hang up ourselves
    req.end(body);
    for (let i = 0; i < 100 && (await inFlight()) < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await inFlight()).toBe(1); // the gateway is waiting for IIQ (3 s)
    const hungUp = Date.now();
    req.destroy();
    for (let i = 0; i < 100 && (await inFlight()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await inFlight()).toBe(0);
    const aborted = errors.filter((e) => e.path.includes('/Users') && e.at >= hungUp);
    expect(aborted.length).toBe(1);
    expect(aborted[0]!.at - hungUp).toBeLessThan(1_500); // well before IIQ would have answered
    await new Promise((r) => setTimeout(r, 100));
    expect(gw.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('a caller that goes away (linked accounts)', () => {
  let gw: LinkedGateway;
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ users: 20 });
    gw = await startLinkedGateway();
  });
  afterAll(async () => {
    await gw?.close();
    await sim?.close();
  });

  it("aborts the connection's upstream request when the API client hangs up", async () => {
    const { key } = await gw.tenant('hangs-up');
    const conn = await gw.link(key, sim);
    expect((await gw.gql(key, LIST, {}, conn)).status).toBe(200); // the connection's state is built
    // its membership scan (background /Users pages) is done: the only request to IIQ below is the query's
    const ready = () => sample('iiq_graph_membership_index_ready', `connection="${conn}"`);
    for (let i = 0; i < 200 && (await ready()) < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await ready()).toBe(1);
    const inFlight = () => sample('iiq_graph_upstream_requests_in_flight', `connection="${conn}"`);
    sim.faults.inject({ type: 'delay', delayMs: 3_000, times: 1, pathPrefix: '/Users' });
    const body = JSON.stringify({ query: LIST });
    const req = httpRequest(`${gw.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${key}`, 'x-connection-id': conn } });
    req.on('error', () => {});
    req.end(body);
    for (let i = 0; i < 100 && (await inFlight()) < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await inFlight()).toBe(1);
    const hungUp = Date.now();
    req.destroy();
    for (let i = 0; i < 100 && (await inFlight()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await inFlight()).toBe(0);
    expect(Date.now() - hungUp).toBeLessThan(1_500);
  });
});
