// Request ids, /metrics, /healthz, /readyz and trace spans, against the simulator over real HTTP.
import diagnostics from 'node:diagnostics_channel';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRegistry } from '../../src/observability/metrics.ts';
import { setupTracing, type Tracing } from '../../src/observability/tracing.ts';
import { startGateway, type Gateway } from '../gateway/harness.ts';

const spans = new InMemorySpanExporter();
let tracing: Tracing | null;
let gw: Gateway;
/** raw request heads as undici wrote them to the upstream socket */
const sentHeads: string[] = [];
const onSend = (m: unknown) => sentHeads.push((m as { headers: string }).headers);

beforeAll(async () => {
  tracing = setupTracing({}, new SimpleSpanProcessor(spans));
  diagnostics.subscribe('undici:client:sendHeaders', onSend);
  gw = await startGateway({ waitForIndex: true });
});
afterAll(async () => {
  diagnostics.unsubscribe('undici:client:sendHeaders', onSend);
  await gw?.close();
  await tracing?.shutdown();
});

const post = (query: string, headers: Record<string, string> = {}) =>
  fetch(`${gw.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });

describe('request id', () => {
  it('is taken from X-Request-Id, echoed, and sent upstream on every request of the operation', async () => {
    sentHeads.length = 0;
    const res = await post('query Five { users(first: 5) { edges { node { userName } } } }', { 'x-request-id': 'req-abc.123' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-abc.123');
    await res.arrayBuffer();
    const upstream = sentHeads.filter((h) => h.includes('/scim/v2/'));
    expect(upstream.length).toBeGreaterThan(0);
    for (const h of upstream) expect(h).toMatch(/x-request-id: req-abc\.123\r\n/i);
  });

  it('is generated when absent or unsafe (never echoes header injection)', async () => {
    for (const given of [undefined, 'bad id with spaces', 'x'.repeat(200)]) {
      const res = await post('{ __typename }', given ? { 'x-request-id': given } : {});
      await res.arrayBuffer();
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('health endpoints', () => {
  it('/healthz answers for the process; /readyz checks the connection', async () => {
    const h = await fetch(`${gw.origin}/healthz`);
    expect(h.status).toBe(200);
    const r = await fetch(`${gw.origin}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ready', checks: { upstream: { ok: true } } });
  });

  it('/readyz answers 503 naming the failed check when IIQ does not answer', async () => {
    const down = await startGateway({ ready: false });
    try {
      await down.sim.close();
      const r = await fetch(`${down.origin}/readyz`);
      expect(r.status).toBe(503);
      const body = (await r.json()) as { status: string; checks: { upstream: { ok: boolean; error?: string } } };
      expect(body.status).toBe('not ready');
      expect(body.checks.upstream.ok).toBe(false);
      expect(body.checks.upstream.error).toMatch(/transport failure|did not answer/);
      expect((await fetch(`${down.origin}/healthz`)).status).toBe(200);
    } finally {
      await down.app.close();
      await down.client.close();
    }
  });
});

describe('/metrics', () => {
  it('exposes operation durations, upstream requests by connection/status/outcome, cache and index metrics', async () => {
    await (await post('query Ten { users(first: 10) { edges { node { userName } } } }')).arrayBuffer();
    await (await post('query Broken { user(id: "") { userName } }')).arrayBuffer();
    const res = await fetch(`${gw.origin}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^iiq_graph_graphql_operation_duration_seconds_count\{operation_type="query",operation_name="Ten",outcome="ok"\} [1-9]/m);
    expect(text).toMatch(/^iiq_graph_upstream_requests_total\{connection="default",method="GET",status="200",outcome="success"\} [1-9]/m);
    expect(text).toMatch(/^iiq_graph_upstream_request_duration_seconds_bucket\{le="0\.005",connection="default",method="GET"\} \d+/m);
    expect(text).toMatch(/^iiq_graph_membership_index_ready\{connection="default"\} 1$/m);
    expect(text).toMatch(/^iiq_graph_membership_index_age_seconds\{connection="default"\} [\d.e-]+$/m);
    expect(text).toMatch(/^iiq_graph_http_requests_total\{route="\/graphql",status="2xx"\} [1-9]/m);
    expect(text).toContain('# TYPE iiq_graph_cache_requests_total counter');
    expect(text).toContain('# TYPE iiq_graph_upstream_retries_total counter');
    expect(text).toMatch(/^iiq_graph_process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^iiq_graph_upstream_circuit_state\{connection="default",state="closed"\} 1$/m);
    expect(text).toMatch(/^iiq_graph_upstream_circuit_state\{connection="default",state="open"\} 0$/m);
  });

  it('counts a repeated request after a 503 as a retry, and the 503 as a server error', async () => {
    const retries = () => metricsRegistry.getSingleMetricAsString('iiq_graph_upstream_retries_total').then((t) => Number(/connection="default",method="GET",reason="status"\} (\d+)/.exec(t)?.[1] ?? 0));
    const before = await retries();
    gw.sim.faults.inject({ type: 'status', status: 503, times: 1, pathPrefix: '/Users' });
    try {
      const res = await post('{ users(first: 2) { edges { node { userName } } } }');
      expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();
    } finally {
      gw.sim.faults.clear();
    }
    expect(await retries()).toBe(before + 1);
    expect(await metricsRegistry.metrics()).toMatch(/^iiq_graph_upstream_requests_total\{connection="default",method="GET",status="503",outcome="server_error"\} [1-9]/m);
  });
});

describe('tracing', () => {
  it('nests upstream requests under the client call, the operation and the server span, and propagates traceparent', async () => {
    spans.reset();
    sentHeads.length = 0;
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await post('query Traced { users(first: 3) { edges { node { userName } } } }', { traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    await res.arrayBuffer();
    const finished = spans.getFinishedSpans();
    const byName = (n: string) => finished.find((s) => s.name === n);
    const server = byName('POST /graphql');
    const operation = byName('graphql.query Traced');
    const call = byName('iiq.listUsers');
    const http = finished.find((s) => s.name === 'GET' && s.parentSpanContext?.spanId === call?.spanContext().spanId);
    expect(server && operation && call && http).toBeTruthy();
    for (const s of [server!, operation!, call!, http!]) expect(s.spanContext().traceId).toBe(traceId);
    expect(server!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(operation!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    expect(call!.parentSpanContext?.spanId).toBe(operation!.spanContext().spanId);
    expect(http!.attributes['http.response.status_code']).toBe(200);
    expect(http!.attributes['url.path']).toMatch(/\/Users$/);
    expect(http!.attributes['iiq.connection']).toBe('default');
    // the upstream request carries the client span's context
    const head = sentHeads.find((h) => h.includes('/scim/v2/Users') && h.includes(traceId));
    expect(head).toMatch(new RegExp(`traceparent: 00-${traceId}-${http!.spanContext().spanId}-01`));
  });
});
