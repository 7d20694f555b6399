// Linked-accounts mode: /readyz checks the store (and Redis when it holds the cache); metrics and the read
// cache are per connection; tracing follows the standard OTEL_* variables.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { metricsRegistry } from '../../src/observability/metrics.ts';
import { tracesExporterFrom } from '../../src/observability/tracing.ts';
import { ADMIN_KEY, startLinkedGateway, startSim } from '../connections/harness.ts';

describe('linked accounts', () => {
  it('/readyz checks the store (and reports Redis); upstream metrics and cache hits carry the connection id', async () => {
    const prefix = `iiq-graph-test:${randomUUID()}:`;
    const gw = await startLinkedGateway({ env: { CACHE: 'on', REDIS_URL: 'redis://127.0.0.1:6379', CACHE_KEY_PREFIX: prefix, CACHE_TTL_RESPONSES: '0' } });
    const sim = await startSim();
    try {
      expect((await gw.http('/metrics', { key: null })).status).toBe(401);
      const metrics = await gw.http('/metrics', { key: ADMIN_KEY });
      expect(metrics.status).toBe(200);
      const ready = await gw.http('/readyz', { key: null });
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', checks: { store: { ok: true }, cache: { ok: true, optional: true } } });
      const { key } = await gw.tenant('acme');
      const connectionId = await gw.link(key, sim);
      const q = '{ users(first: 3) { edges { node { userName } } } }';
      expect((await gw.gql(key, q)).body.errors).toBeUndefined();
      // small pages only: the connection's membership scan (large pages) runs in the background meanwhile
      const pageReads = () => sim.requests.list().filter((r) => r.path === '/Users' && Number(r.query.count) <= 10).length;
      const before = pageReads();
      expect(before).toBeGreaterThan(0);
      expect((await gw.gql(key, q)).body.errors).toBeUndefined();
      expect(pageReads()).toBe(before); // the page came from Redis
      const text = await metricsRegistry.metrics();
      expect(text).toContain(`iiq_graph_upstream_requests_total{connection="${connectionId}",method="GET",status="200",outcome="success"}`);
      expect(text).toMatch(new RegExp(`^iiq_graph_cache_requests_total\\{connection="${connectionId}",kind="list",result="hit"\\} [1-9]`, 'm'));
      expect(text).toContain(`iiq_graph_upstream_circuit_state{connection="${connectionId}",state="closed"} 1`);
    } finally {
      await gw.close();
      await sim.close();
      const redis = new Redis('redis://127.0.0.1:6379');
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });
});

describe('configuration', () => {
  it('tracing follows OTEL_* variables', () => {
    expect(tracesExporterFrom({})).toBeNull();
    expect(tracesExporterFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('otlp');
    expect(tracesExporterFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe('otlp');
    expect(tracesExporterFrom({ OTEL_TRACES_EXPORTER: 'console' })).toBe('console');
    expect(tracesExporterFrom({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' })).toBeNull();
    expect(tracesExporterFrom({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBeNull();
    expect(() => tracesExporterFrom({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/not supported/);
  });

  it('cache variables are parsed with their defaults', () => {
    expect(loadConfig({}).cache).toEqual({
      enabled: true,
      keyPrefix: 'iiq-graph:',
      maxEntries: 50_000,
      ttls: { usersMs: 30_000, listsMs: 10_000, rolesMs: 300_000, staleMs: 3_600_000 },
      responsesMs: 5_000,
    });
    const c = loadConfig({ CACHE: 'off', REDIS_URL: 'redis://r:6379/2', CACHE_TTL_USERS: '5', CACHE_TTL_RESPONSES: '0' }).cache!;
    expect(c).toMatchObject({ enabled: false, redisUrl: 'redis://r:6379/2', responsesMs: 0, ttls: { usersMs: 5000 } });
    expect(() => loadConfig({ REDIS_URL: 'http://r' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ CACHE_TTL_USERS: '0' })).toThrow(/CACHE_TTL_USERS/);
  });
});
