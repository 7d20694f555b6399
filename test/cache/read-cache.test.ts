// The per-connection SCIM read cache, on both stores (in-process LRU and the machine's Redis with a unique
// key prefix): tenant isolation, 304 revalidation counted at the simulator, invalidation after writes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createSimulator } from '../../simulator/index.ts';
import { createConnectionCache, type CacheTtls, type ConnectionCache } from '../../src/cache/read-cache.ts';
import { MemoryStore, RedisStore, type CacheStore } from '../../src/cache/store.ts';
import { createIiqClient } from '../../src/iiq/client.ts';
import type { IiqClient, IiqUser } from '../../src/iiq/types.ts';
import { instrumentClient } from '../../src/observability/client.ts';
import { metricsRegistry } from '../../src/observability/metrics.ts';
import { responseCacheSession } from '../../src/cache/response-cache.ts';
import { startGateway } from '../gateway/harness.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `iiq-graph-test:${randomUUID()}:`;
const sim = createSimulator({ users: 150, seed: 42, profile: 'zero', idFilterable: true });
let raw: IiqClient;
let ids: string[];

beforeAll(async () => {
  const { baseUrl } = await sim.listen(0, '127.0.0.1');
  raw = createIiqClient({ baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' } });
  ids = (await raw.listUsers({ count: 10 })).items.map((u) => u.id);
});
afterAll(async () => {
  await raw?.close();
  await sim.close();
  // leave nothing behind in the shared Redis
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const upstream = (match: (r: { method: string; path: string; status: number }) => boolean) => sim.requests.list().filter(match).length;
const userReads = () => upstream((r) => r.method === 'GET' && r.path.startsWith('/Users'));
const ttls = (over: Partial<CacheTtls> = {}): CacheTtls => ({ usersMs: 60_000, listsMs: 60_000, rolesMs: 60_000, staleMs: 60_000, ...over });

describe.each(['memory', 'redis'] as const)('%s store', (kind) => {
  let store: CacheStore;
  const caches: ConnectionCache[] = [];
  const cacheFor = (tenantId: string, connectionId: string, t = ttls()) => {
    const c = createConnectionCache(instrumentClient(raw, connectionId), store, { tenantId, connectionId }, t, { keyPrefix: prefix, release: () => {} });
    caches.push(c);
    return c;
  };
  beforeAll(() => {
    store = kind === 'memory' ? new MemoryStore(1000) : new RedisStore(REDIS_URL);
  });
  afterAll(async () => {
    for (const c of caches) c.release();
    await store.close();
  });

  it('tenants (and connections) never share entries', async () => {
    const a = cacheFor(`tenant-a-${kind}`, 'conn-1');
    const b = cacheFor(`tenant-b-${kind}`, 'conn-1');
    const a2 = cacheFor(`tenant-a-${kind}`, 'conn-2');
    const sel = { fields: ['userName', 'displayName'] as const };
    const before = userReads();
    const fromA = await a.client.getUsersByIds(ids, { fields: [...sel.fields] });
    expect(userReads()).toBe(before + 1);
    await a.client.getUsersByIds(ids, { fields: [...sel.fields] });
    expect(userReads()).toBe(before + 1); // A's second read is a hit
    const fromB = await b.client.getUsersByIds(ids, { fields: [...sel.fields] });
    expect(userReads()).toBe(before + 2); // same ids, same selection, other tenant: a miss
    await a2.client.getUsersByIds(ids, { fields: [...sel.fields] });
    expect(userReads()).toBe(before + 3); // same tenant, other connection: a miss
    expect(fromB.map((u) => u?.userName)).toEqual(fromA.map((u) => u?.userName));
    // a different selection is a different entry
    await a.client.getUsersByIds(ids, { fields: ['userName', 'email'] });
    expect(userReads()).toBe(before + 4);
    if (kind === 'redis') {
      const redis = new Redis(REDIS_URL);
      try {
        const keys = await redis.keys(`${prefix}*`);
        expect(keys.some((k) => k.startsWith(`${prefix}tenant-a-redis:conn-1:u:`))).toBe(true);
        expect(keys.some((k) => k.startsWith(`${prefix}tenant-b-redis:conn-1:u:`))).toBe(true);
      } finally {
        redis.disconnect();
      }
    }
  });

  it('revalidates expired users with If-None-Match: IIQ answers 304, counted at the simulator', async () => {
    const c = cacheFor(`tenant-r-${kind}`, 'conn-1', ttls({ usersMs: 1 }));
    const some = ids.slice(0, 5);
    const first = await c.client.getUsersByIds(some, { includeRoles: true });
    await new Promise((r) => setTimeout(r, 10));
    const notModifiedBefore = upstream((r) => r.status === 304);
    const readsBefore = userReads();
    const second = await c.client.getUsersByIds(some, { includeRoles: true });
    expect(upstream((r) => r.status === 304)).toBe(notModifiedBefore + 5);
    expect(userReads()).toBe(readsBefore + 5); // one conditional GET each, no full refetch
    expect(second.map((u) => u?.version)).toEqual(first.map((u) => u?.version));
    expect(second.map((u) => u?.roles?.length)).toEqual(first.map((u) => u?.roles?.length));

    // a change made behind the gateway's back is seen at the next revalidation (200, not 304)
    const target = first[0]!;
    await raw.replaceUser(target.id, { userName: target.userName, displayName: `Changed ${kind}` });
    await new Promise((r) => setTimeout(r, 10));
    const [changed] = await c.client.getUsersByIds([target.id], { includeRoles: true });
    expect(changed?.displayName).toBe(`Changed ${kind}`);
    expect(changed?.version).not.toBe(target.version);
  });

  it('a write through the gateway drops the user (every selection) and every cached list of the connection', async () => {
    const c = cacheFor(`tenant-w-${kind}`, 'conn-1');
    const id = ids[3]!;
    const [before] = await c.client.getUsersByIds([id], { fields: ['userName', 'displayName'] });
    const page = await c.client.listUsers({ count: 5, fields: ['userName', 'displayName'] });
    const reads = userReads();
    await c.client.listUsers({ count: 5, fields: ['userName', 'displayName'] });
    await c.client.getUsersByIds([id], { fields: ['userName', 'displayName'] });
    expect(userReads()).toBe(reads); // both cached

    await c.client.replaceUser(id, { userName: before!.userName, displayName: `Written ${kind}` });
    const writes = userReads();
    const [after] = await c.client.getUsersByIds([id], { fields: ['userName', 'displayName'] });
    expect(after?.displayName).toBe(`Written ${kind}`);
    const pageAfter = await c.client.listUsers({ count: 5, fields: ['userName', 'displayName'] });
    expect(userReads()).toBe(writes + 2); // the user and the page were both read again
    expect(pageAfter.totalResults).toBe(page.totalResults);
  });
});

describe('writes the cache cannot attribute to one user', () => {
  it('an account change (or any other write method) drops every cached user and list of the connection', async () => {
    let reads = 0;
    const user = (id: string) => ({ id, userName: id, version: null }) as unknown as IiqUser;
    const stub = {
      baseUrl: 'http://stub',
      getUsersByIds: async (ids: readonly string[]) => {
        reads++;
        return ids.map(user);
      },
      changeAccount: async () => undefined,
      close: async () => undefined,
    } as unknown as IiqClient;
    const c = createConnectionCache(stub, new MemoryStore(100), { tenantId: 't', connectionId: 'c' }, ttls(), { keyPrefix: prefix, release: () => {} });
    await c.client.getUsersByIds(['a', 'b'], {});
    await c.client.getUsersByIds(['a', 'b'], {});
    expect(reads).toBe(1);
    await (c.client as unknown as { changeAccount: () => Promise<void> }).changeAccount();
    await c.client.getUsersByIds(['a', 'b'], {});
    expect(reads).toBe(2);
    c.release();
  });
});

describe('through the gateway', () => {
  it('a repeated query is served from the cache, visible as hits in /metrics', async () => {
    // the membership scan is finished first: its pages would be counted as upstream requests
    const gw = await startGateway({ env: { CACHE: 'on', CACHE_KEY_PREFIX: prefix, CACHE_TTL_RESPONSES: '0' }, waitForIndex: true });
    try {
      const q = '{ users(first: 20) { edges { node { userName displayName manager { userName displayName } } } } }';
      const first = await gw.gql(q);
      expect(first.errors).toBeUndefined();
      const cold = gw.upstream();
      const second = await gw.gql(q);
      expect(second.data).toEqual(first.data);
      expect(gw.upstream()).toBe(cold); // nothing reached IIQ
      const metrics = await metricsRegistry.metrics();
      expect(metrics).toMatch(/^iiq_graph_cache_requests_total\{connection="default",kind="list",result="hit"\} [1-9]/m);
      expect(metrics).toMatch(/^iiq_graph_cache_requests_total\{connection="default",kind="(user|userByName)",result="hit"\} [1-9]/m);
      expect(metrics).toMatch(/^iiq_graph_cache_requests_total\{connection="default",kind="(user|userByName)",result="miss"\} [1-9]/m);
    } finally {
      await gw.close();
    }
  });
});

describe('response cache', () => {
  it('answers a repeated query without executing it; errors are never cached', async () => {
    const gw = await startGateway({ env: { CACHE: 'on', CACHE_KEY_PREFIX: prefix, CACHE_TTL_RESPONSES: '60' }, waitForIndex: true });
    try {
      const q = '{ users(first: 7) { edges { node { userName } } } }';
      const first = await gw.gql(q);
      const cold = gw.upstream();
      gw.sim.faults.inject({ type: 'status', status: 500, times: 100, pathPrefix: '/Users' });
      try {
        expect((await gw.gql(q)).data).toEqual(first.data); // served without IIQ, which now fails
        const failing = await gw.gql('{ users(first: 8) { edges { node { userName } } } }');
        expect(failing.errors?.length).toBeGreaterThan(0);
      } finally {
        gw.sim.faults.clear();
      }
      const retried = await gw.gql('{ users(first: 8) { edges { node { userName } } } }');
      expect(retried.errors).toBeUndefined(); // the failed answer was not kept
      expect(gw.upstream()).toBeGreaterThan(cold);
      expect(await metricsRegistry.metrics()).toMatch(/^iiq_graph_cache_requests_total\{connection="default",kind="response",result="hit"\} [1-9]/m);
    } finally {
      await gw.close();
    }
  });

  it('partitions by credentials and connection in linked-accounts mode, and never caches anonymous requests', () => {
    const req = (h: Record<string, string>) => new Request('http://gw/graphql', { headers: h });
    const a = responseCacheSession(req({ authorization: 'Bearer key-a' }), true);
    const b = responseCacheSession(req({ authorization: 'Bearer key-b' }), true);
    const a2 = responseCacheSession(req({ authorization: 'Bearer key-a', 'x-connection-id': 'c2' }), true);
    expect(new Set([a, b, a2]).size).toBe(3);
    expect(a).not.toContain('key-a'); // a digest, never the credential
    expect(responseCacheSession(req({}), true)).toBeNull();
    expect(responseCacheSession(req({ 'x-iiq-consistency': 'mirror' }), false)).not.toBe(responseCacheSession(req({}), false));
  });
});

describe('Redis unreachable', () => {
  it('reads go to IIQ without waiting; /readyz stays ready and reports the cache', async () => {
    const gw = await startGateway({ env: { CACHE: 'on', REDIS_URL: 'redis://127.0.0.1:1', CACHE_TTL_RESPONSES: '0' }, waitForIndex: true });
    try {
      const q = '{ users(first: 5) { edges { node { userName manager { userName } } } } }';
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const res = await gw.gql(q);
        expect(res.errors).toBeUndefined();
        expect(performance.now() - started).toBeLessThan(400);
      }
      const ready = await fetch(`${gw.origin}/readyz`);
      expect(ready.status).toBe(200); // a cache outage means misses, not an unready gateway
      const body = (await ready.json()) as { checks: Record<string, { ok: boolean; optional?: boolean }> };
      expect(body.checks.upstream).toEqual({ ok: true });
      expect(body.checks.cache).toMatchObject({ ok: false, optional: true });
    } finally {
      await gw.close();
    }
  });
});
