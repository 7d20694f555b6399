// Rate limits per API key and per connection: 429 + Retry-After on GraphQL (HTTP 429 too), REST and the proxy;
// other keys unaffected; in memory by default, shared between gateway instances through Redis (REDIS_URL, the
// machine's Redis at 127.0.0.1:6379, a unique key prefix per run).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startLinkedGateway, startSim, type LinkedGateway, type Sim } from '../connections/harness.ts';
import { startGateway } from '../gateway/harness.ts';
import { suiteCounter } from './summary.ts';

const count = suiteCounter('rate-limit');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('per API key and per connection (memory)', () => {
  let gw: LinkedGateway;
  let sim: Sim;
  let a: { key: string; tenantId: string; id: string };
  let b: { key: string; tenantId: string };
  const bKeys: string[] = [];
  beforeAll(async () => {
    sim = await startSim();
    gw = await startLinkedGateway({ env: { RATE_LIMIT_PER_MINUTE: '7', CONNECTION_RATE_LIMIT_PER_MINUTE: '10' } });
    const ta = await gw.tenant('a');
    a = { ...ta, id: await gw.link(ta.key, sim) };
    b = await gw.tenant('b');
    await gw.link(b.key, sim);
    // two more keys of tenant b (the admin key has used 6 of its 7 requests now)
    for (let i = 0; i < 2; i++) bKeys.push((await gw.http(`/admin/tenants/${b.tenantId}/api-keys`, { key: ADMIN_KEY, body: { label: `k${i}` } })).body.key as string);
  });
  afterAll(async () => {
    await gw.close();
    await sim.close();
  });

  it('the 7th request of a key is the last: GraphQL 429 RATE_LIMITED, REST and proxy 429, all with Retry-After', async () => {
    // tenant set-up above used 1 request of a's key (link)
    for (let i = 0; i < 6; i++) expect((await gw.gql(a.key, '{ users(first: 1) { totalCount } }')).status).toBe(200);
    sim.requests.reset();
    const g = await gw.gql(a.key, '{ users(first: 1) { totalCount } }');
    expect(g.status).toBe(429);
    expect(Number(g.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(g.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'apiKey' });
    const rest = await gw.http('/unified/user-directory/users', { key: a.key });
    expect(rest.status).toBe(429);
    expect(rest.body).toMatchObject({ statusCode: 429, details: { code: 'RATE_LIMITED' }, is_remote_error: false });
    expect(rest.headers.get('retry-after')).toMatch(/^\d+$/);
    const proxy = await gw.http('/proxy/scim/v2/Users', { key: a.key });
    expect(proxy.status).toBe(429);
    expect(proxy.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(sim.requests.count()).toBe(0);
    count.add('429 answers', 3);
  });

  it("another tenant's key is not affected; a bogus key is limited on its own", async () => {
    expect((await gw.gql(b.key, '{ users(first: 1) { totalCount } }')).status).toBe(200);
    const bogus = 'iiqg_AAAAAAAAAAAAAAAA_' + 'x'.repeat(43);
    for (let i = 0; i < 7; i++) expect((await gw.gql(bogus, '{ __typename }')).status).toBe(401);
    expect((await gw.gql(bogus, '{ __typename }')).status).toBe(429);
    count.add('isolated keys', 2);
  });

  it('spraying guessed keys (each a new per-key bucket) is limited per client address; valid keys are not', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await gw.gql(`iiqg_${String(i).padStart(16, 'B')}_${'y'.repeat(43)}`, '{ __typename }')).status);
    expect(statuses).toContain(429);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect((await gw.gql(bKeys[0]!, '{ __typename }')).status).toBe(200);
    count.add('key sprays limited');
  });

  it("per connection: a tenant's keys share the connection's budget", async () => {
    const keys = [b.key, ...bKeys];
    // b's connection used 2 so far; 8 more across three keys (under the key limit), then 429 scope connection
    let answered = 0;
    let limited: any = null;
    for (let i = 0; i < 12 && !limited; i++) {
      const r = await gw.gql(keys[i % 3]!, '{ users(first: 1) { totalCount } }');
      if (r.status === 429) limited = r;
      else answered++;
    }
    expect(limited?.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'connection' });
    expect(answered).toBe(8);
    count.add('connection budgets');
  });
});

describe('shared through Redis (REDIS_URL)', () => {
  const prefix = `iiq-graph-test:${randomBytes(6).toString('hex')}`;
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('two gateway instances share one budget per caller; the keys live under the run prefix', async () => {
    const env = { REDIS_URL, RATE_LIMIT_KEY_PREFIX: prefix, RATE_LIMIT_PER_MINUTE: '6' };
    const [g1, g2] = await Promise.all([startGateway({ ready: false, env }), startGateway({ ready: false, env })]);
    try {
      await new Promise((r) => setTimeout(r, 300)); // connected (until then the in-memory insurance limiter counts)
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await (i % 2 ? g2 : g1).gql('{ __typename }')).status);
      expect(statuses.slice(0, 6)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(statuses.slice(6)).toEqual([429, 429]);
      expect((await redis.keys(`${prefix}*`)).length).toBeGreaterThan(0);
      count.add('redis-shared limits', 8);
    } finally {
      await Promise.all([g1.close(), g2.close()]);
    }
  });

  it('an unreachable Redis falls back to memory limits (requests keep being answered)', async () => {
    const gw = await startGateway({ ready: false, env: { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_KEY_PREFIX: prefix, RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await gw.gql('{ __typename }')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      count.add('redis fallbacks');
    } finally {
      await gw.close();
    }
  });
});
