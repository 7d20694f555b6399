// Writes through any surface leave every cache of their connection: a write through the SCIM proxy makes the
// next GraphQL read fresh (read cache and response cache), in one process and across two replicas sharing the
// machine's Redis. Upstream reads are counted at the simulator.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator } from '../../simulator/index.ts';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createIiqClient } from '../../src/iiq/client.ts';
import type { IiqClient } from '../../src/iiq/types.ts';
import { invalidateAfterProxyWrite, ProxyUpstream, proxyWriteTarget } from '../../src/rest/proxy.ts';
import { createConnectionCache } from '../../src/cache/read-cache.ts';
import { MemoryStore } from '../../src/cache/store.ts';
import { sqliteDatabase } from '../connections/databases.ts';
import { startLinkedGateway, type LinkedGateway } from '../connections/harness.ts';
import { serveApp } from './serve-app.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const AUTH = { kind: 'basic' as const, username: 'spadmin', password: 'admin' };

interface Replica {
  origin: string;
  app: App;
  client: IiqClient;
  close(): Promise<void>;
}

/** One gateway process-alike: its own IIQ client, proxy upstream, app and HTTP listener. */
async function replica(baseUrl: string, env: Record<string, string>): Promise<Replica> {
  const client = createIiqClient({ baseUrl, auth: AUTH, retry: { maxAttempts: 1 } });
  const proxy = new ProxyUpstream({ baseUrl, secret: { auth: AUTH, proxyUrl: null }, caBundle: null });
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: mkdtempSync(join(tmpdir(), 'iiq-graph-wp-')), CACHE: 'on', CACHE_TTL_USERS: '60', CACHE_TTL_LISTS: '60', CACHE_TTL_RESPONSES: '60', ...env });
  const app = createApp({ client, config, proxy }); // the default executor, as deployed
  const served = await serveApp(app);
  return {
    origin: served.origin,
    app,
    client,
    async close() {
      await served.close();
      await client.close();
      await proxy.close();
    },
  };
}

async function gql(r: Replica, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await fetch(`${r.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function proxied(r: Replica, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${r.origin}/proxy/scim/v2${path}`, {
    method,
    headers: { 'content-type': 'application/scim+json', accept: 'application/scim+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** PUT through the proxy: the user's own SCIM representation with a new displayName */
async function renameThroughProxy(r: Replica, id: string, displayName: string): Promise<void> {
  const current = await proxied(r, 'GET', `/Users/${id}`);
  expect(current.status).toBe(200);
  const { meta: _meta, ...user } = current.json;
  const put = await proxied(r, 'PUT', `/Users/${id}`, { ...user, displayName });
  expect(put.status).toBe(200);
}

const USER = 'query($id: ID!) { user(id: $id) { id displayName } }';
const COUNT = '{ users(first: 1) { totalCount } }';

const sim = createSimulator({ users: 40, seed: 7, profile: 'zero' });
let baseUrl: string;
let ids: string[];
const prefix = `iiq-graph-test:${randomUUID()}:`;

beforeAll(async () => {
  ({ baseUrl } = await sim.listen(0, '127.0.0.1'));
  const c = createIiqClient({ baseUrl, auth: AUTH });
  ids = (await c.listUsers({ count: 5 })).items.map((u) => u.id);
  await c.close();
});
afterAll(async () => {
  await sim.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const userGets = (id: string) => sim.requests.list().filter((r) => r.method === 'GET' && r.path === `/Users/${id}`).length;
const listGets = () => sim.requests.list().filter((r) => r.method === 'GET' && r.path === '/Users').length;

describe('which writes through the proxy invalidate what', () => {
  it('names the user, the lists, everything, or nothing', () => {
    expect(proxyWriteTarget('PUT', '/Users/abc%20d', 200)).toEqual({ kind: 'user', id: 'abc d' });
    expect(proxyWriteTarget('DELETE', '/Users/abc', 204)).toEqual({ kind: 'user', id: 'abc' });
    expect(proxyWriteTarget('POST', '/Users', 201)).toEqual({ kind: 'lists' });
    expect(proxyWriteTarget('PUT', '/Roles/r1', 200)).toEqual({ kind: 'role', id: 'r1' });
    expect(proxyWriteTarget('POST', '/Roles', 201)).toEqual({ kind: 'lists' });
    expect(proxyWriteTarget('PATCH', '/Accounts/x', 200)).toEqual({ kind: 'all' });
    expect(proxyWriteTarget('POST', '/Bulk', 502)).toEqual({ kind: 'all' }); // may have been applied
    expect(proxyWriteTarget('PUT', '/Users/abc', 412)).toBeNull(); // refused: nothing changed
    expect(proxyWriteTarget('GET', '/Users/abc', 200)).toBeNull();
  });
});

describe('a proxied role write drops that role from the read cache', () => {
  it('the next getRole asks IIQ again; other roles stay cached', async () => {
    const raw = createIiqClient({ baseUrl, auth: AUTH });
    const store = new MemoryStore(100);
    const cache = createConnectionCache(raw, store, { tenantId: 't', connectionId: 'roles' }, { usersMs: 60_000, listsMs: 60_000, rolesMs: 60_000, staleMs: 60_000 }, { keyPrefix: prefix, release: () => {} });
    try {
      const [r1, r2] = (await raw.listRoles({ count: 2 })).items.map((r) => r.id);
      const roleGets = () => sim.requests.list().filter((r) => r.method === 'GET' && r.path.startsWith('/Roles/')).length;
      await cache.client.getRole(r1!);
      await cache.client.getRole(r2!);
      const before = roleGets();
      await cache.client.getRole(r1!);
      expect(roleGets()).toBe(before); // cached
      const generation = await cache.generation();
      await invalidateAfterProxyWrite(cache, proxyWriteTarget('PUT', `/Roles/${r1}`, 200));
      expect(await cache.generation()).toBe(generation + 1); // responses that show roles are dropped too
      await cache.client.getRole(r1!);
      await cache.client.getRole(r2!);
      expect(roleGets()).toBe(before + 1); // r1 again from IIQ, r2 still cached
    } finally {
      cache.release();
      await raw.close();
    }
  });
});

describe('one process (in-process store)', () => {
  let gw: Replica;
  beforeAll(async () => {
    gw = await replica(baseUrl, { CACHE_KEY_PREFIX: `${prefix}single:` });
  });
  afterAll(async () => gw?.close());

  it('a PUT through the proxy makes the next GraphQL read of the user fresh (response and read cache)', async () => {
    const id = ids[0]!;
    const first = await gql(gw, USER, { id });
    const reads = userGets(id);
    expect(await gql(gw, USER, { id })).toEqual(first); // cached: IIQ not asked again
    expect(userGets(id)).toBe(reads);
    await renameThroughProxy(gw, id, 'Renamed Through Proxy');
    const after = await gql(gw, USER, { id });
    expect(after.user.displayName).toBe('Renamed Through Proxy');
    expect(userGets(id)).toBeGreaterThan(reads + 1); // the proxy's GET, then the gateway's fresh read
  });

  it('a POST through the proxy makes the next count fresh', async () => {
    const before = (await gql(gw, COUNT)).users.totalCount as number;
    const lists = listGets();
    expect((await gql(gw, COUNT)).users.totalCount).toBe(before);
    expect(listGets()).toBe(lists); // served from the cache
    const created = await proxied(gw, 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `proxy.${randomUUID().slice(0, 8)}` });
    expect(created.status).toBe(201);
    expect((await gql(gw, COUNT)).users.totalCount).toBe(before + 1);
    expect(listGets()).toBe(lists + 1);
  });

  it('a refused write (404) drops nothing', async () => {
    const id = ids[1]!;
    await gql(gw, USER, { id });
    const reads = userGets(id);
    const missing = await proxied(gw, 'DELETE', '/Users/no-such-user');
    expect(missing.status).toBe(404);
    await gql(gw, USER, { id });
    expect(userGets(id)).toBe(reads);
  });
});

describe('two replicas sharing Redis', () => {
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    const env = { REDIS_URL, CACHE_KEY_PREFIX: `${prefix}replicas:` };
    [a, b] = await Promise.all([replica(baseUrl, env), replica(baseUrl, env)]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('a write through the proxy of replica A is never served stale by replica B', async () => {
    const id = ids[2]!;
    const fromB = await gql(b, USER, { id });
    const reads = userGets(id);
    expect(await gql(b, USER, { id })).toEqual(fromB);
    expect(await gql(a, USER, { id })).toEqual(fromB); // A is answered from what B cached in Redis
    expect(userGets(id)).toBe(reads);
    await renameThroughProxy(a, id, 'Renamed On Replica A');
    expect((await gql(b, USER, { id })).user.displayName).toBe('Renamed On Replica A');
    expect((await gql(a, USER, { id })).user.displayName).toBe('Renamed On Replica A');
  });

  it('a GraphQL mutation on B is never served stale by A (response cache and read cache)', async () => {
    const id = ids[0]!;
    const before = await gql(a, USER, { id });
    expect(await gql(a, USER, { id })).toEqual(before);
    const m = await gql(b, 'mutation($id: ID!) { updateUser(id: $id, input: { displayName: "Renamed By Mutation On B" }) { __typename } }', { id });
    expect(m.updateUser.__typename).toBe('UpdateUserSuccess');
    expect((await gql(a, USER, { id })).user.displayName).toBe('Renamed By Mutation On B');
  });

  it('a GraphQL-free DELETE through A: B no longer finds the user', async () => {
    const id = ids[3]!;
    expect((await gql(b, USER, { id })).user).not.toBeNull();
    const del = await proxied(a, 'DELETE', `/Users/${id}`);
    expect(del.status).toBe(204);
    expect((await gql(b, USER, { id })).user).toBeNull();
  });
});

describe('linked accounts: two replicas sharing the store and Redis', () => {
  let a: LinkedGateway;
  let b: LinkedGateway;
  let key: string;
  let conn: string;
  beforeAll(async () => {
    const env = { CACHE: 'on', REDIS_URL, CACHE_KEY_PREFIX: `${prefix}linked:`, CACHE_TTL_USERS: '60', CACHE_TTL_RESPONSES: '60' };
    const db = sqliteDatabase();
    a = await startLinkedGateway({ db, env });
    b = await startLinkedGateway({ db, env });
    ({ key } = await a.tenant('write-paths'));
    const res = await a.http('/api/connections', { key, body: { label: 'IIQ', baseUrl, auth: AUTH } });
    expect(res.status).toBe(201);
    conn = res.body.id as string;
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a PUT through the proxy of A (which never served a GraphQL request) is seen by B at once', async () => {
    const id = ids[4]!;
    const first = await b.gql(key, USER, { id }, conn);
    expect(first.body.data.user.displayName).toBeTruthy();
    const reads = userGets(id);
    expect((await b.gql(key, USER, { id }, conn)).body).toEqual(first.body);
    expect(userGets(id)).toBe(reads);
    const current = await a.http(`/proxy/scim/v2/Users/${id}`, { key, connectionId: conn });
    expect(current.status).toBe(200);
    const { meta: _meta, ...user } = current.body;
    const put = await a.http(`/proxy/scim/v2/Users/${id}`, { key, connectionId: conn, method: 'PUT', body: { ...user, displayName: 'Renamed Through Linked A' }, headers: { 'content-type': 'application/scim+json' } });
    expect(put.status).toBe(200);
    expect((await b.gql(key, USER, { id }, conn)).body.data.user.displayName).toBe('Renamed Through Linked A');
  });
});
