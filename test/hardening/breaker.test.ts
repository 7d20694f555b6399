// Upstream protection per connection: the circuit breaker opens after repeated failures (typed error with
// extensions.circuit, no upstream traffic), lets a probe through after the pause and closes; the concurrency
// limit holds calls in a bounded queue; state is visible on /healthz/upstream and the connections API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY } from '../connections/harness.ts';
import { useTwoTenants } from './two-tenants.ts';
import { startGateway, type Gateway } from '../gateway/harness.ts';
import { suiteCounter } from './summary.ts';

const count = suiteCounter('breaker');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const status = async (gw: Gateway) => (await (await fetch(`${gw.origin}/healthz/upstream`)).json()) as Record<string, any>;

describe('circuit breaker (single connection)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ ready: false, env: { BREAKER_THRESHOLD: '3', BREAKER_HALF_OPEN_AFTER: '1' } });
  });
  afterAll(() => gw.close());

  it('opens after 3 failed calls, refuses fast without calling IIQ, probes after the pause and closes', async () => {
    const name = gw.sim.data.users[5]!.userName;
    const q = `query ($n: String) { user(userName: $n) { userName } }`;
    expect((await status(gw)).circuit).toBe('closed');
    gw.sim.faults.inject({ type: 'status', status: 503, times: 50 });
    for (let i = 0; i < 3; i++) {
      const r = await gw.gql(q, { n: name });
      expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(r.errors?.[0]?.extensions?.circuit).toBeUndefined();
    }
    const s = await status(gw);
    expect(s.circuit).toBe('open');
    expect(s.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    gw.sim.requests.reset();
    const started = Date.now();
    const refused = await gw.gql(q, { n: name });
    expect(Date.now() - started).toBeLessThan(500);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', circuit: 'open' });
    expect(refused.errors?.[0]?.path).toEqual(['user']);
    expect(gw.sim.requests.count()).toBe(0);
    // REST face: 503 with the same refusal
    const rest = await fetch(`${gw.origin}/unified/user-directory/users?limit=1`);
    expect(rest.status).toBe(503);
    expect(rest.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await rest.json()) as any).details).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', circuit: 'open' });
    expect(gw.sim.requests.count()).toBe(0);
    count.add('open-circuit refusals', 2);

    gw.sim.faults.clear();
    await sleep(1_100);
    expect((await status(gw)).circuit).toBe('open'); // cockatiel moves to half-open on the next call
    const probe = await gw.gql(q, { n: name });
    expect(probe.errors).toBeUndefined();
    expect((probe.data as any).user.userName).toBe(name);
    expect((await status(gw)).circuit).toBe('closed');
    count.add('half-open probes closed');
  });

  it('a failed half-open probe opens the circuit again', async () => {
    const q = `{ users(first: 1) { totalCount } }`;
    gw.sim.faults.inject({ type: 'status', status: 502, times: 100 });
    for (let i = 0; i < 3; i++) await gw.gql(q);
    expect((await status(gw)).circuit).toBe('open');
    await sleep(1_100);
    const probe = await gw.gql(q);
    expect(probe.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect((await status(gw)).circuit).toBe('open');
    gw.sim.faults.clear();
    await sleep(1_100);
    expect((await gw.gql(q)).errors).toBeUndefined();
    expect((await status(gw)).circuit).toBe('closed');
    count.add('re-opened circuits');
  });

  it('partial results: a failing branch is an error at its path, the other branches keep their data', async () => {
    gw.sim.faults.inject({ type: 'status', status: 503, times: 2, pathPrefix: '/Users' });
    const name = gw.sim.data.users[9]!.userName;
    const r = await gw.gql('query ($n: String) { user(userName: $n) { userName } roles(first: 2) { totalCount edges { node { name } } } }', { n: name });
    expect((r.data as any).roles.totalCount).toBeGreaterThan(0);
    expect((r.data as any).roles.edges).toHaveLength(2);
    expect((r.data as any).user).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]!.path).toEqual(['user']);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { status: 503 } });
    gw.sim.faults.clear();
    count.add('partial results');
  });

  it("the caller's own mistakes (404, invalid filter) never open it", async () => {
    for (let i = 0; i < 6; i++) {
      const r = await gw.gql('{ user(userName: "nobody-at-all") { userName } }');
      expect(r.errors).toBeUndefined();
    }
    expect((await status(gw)).circuit).toBe('closed');
    count.add('non-failures ignored', 6);
  });
});

describe('concurrency limit', () => {
  it('at most UPSTREAM_CONCURRENCY calls in flight, the rest queued, all answered', async () => {
    const gw = await startGateway({ ready: false, env: { UPSTREAM_CONCURRENCY: '2', UPSTREAM_QUEUE: '20' } });
    try {
      gw.sim.faults.inject({ type: 'delay', delayMs: 150, times: 8 });
      let maxInFlight = 0;
      let maxQueued = 0;
      let done = false;
      const poll = (async () => {
        while (!done) {
          const s = await status(gw);
          maxInFlight = Math.max(maxInFlight, s.inFlight);
          maxQueued = Math.max(maxQueued, s.queued);
          await sleep(10);
        }
      })();
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => gw.gql(`{ users(first: 1, filter: { userName: { startsWith: "${String.fromCharCode(97 + i)}" } }) { totalCount } }`)));
      done = true;
      await poll;
      expect(results.every((r) => !r.errors)).toBe(true);
      expect(maxInFlight).toBeLessThanOrEqual(2);
      expect(maxInFlight).toBeGreaterThan(0);
      expect(maxQueued).toBeGreaterThan(0);
      expect((await status(gw)).inFlight).toBe(0);
      count.add('concurrent calls bounded', 6);
    } finally {
      await gw.close();
    }
  });

  it('a full queue answers UPSTREAM_UNAVAILABLE (circuit: busy) at once', async () => {
    const gw = await startGateway({ ready: false, env: { UPSTREAM_CONCURRENCY: '1', UPSTREAM_QUEUE: '1' } });
    try {
      gw.sim.faults.inject({ type: 'delay', delayMs: 300, times: 5 });
      const results = await Promise.all(Array.from({ length: 5 }, () => gw.gql('{ users(first: 1) { totalCount } }')));
      const busy = results.filter((r) => r.errors?.[0]?.extensions?.circuit === 'busy');
      expect(busy.length).toBeGreaterThanOrEqual(2);
      expect(busy[0]!.errors![0]!.extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(results.filter((r) => !r.errors).length).toBeGreaterThanOrEqual(1);
      expect((await status(gw)).circuit).toBe('closed'); // busy is not an upstream failure
      count.add('busy refusals', busy.length);
    } finally {
      await gw.close();
    }
  });
});

describe('linked accounts: per connection, visible in the connections API, shared with the proxy', () => {
  const t = useTwoTenants({ BREAKER_THRESHOLD: '2', BREAKER_HALF_OPEN_AFTER: '30' });

  it("proxy failures open connection A's circuit; B is unaffected; the state is in GET /api/connections/{id}/upstream", async () => {
    t.simA.faults.inject({ type: 'status', status: 502, times: 100 });
    for (let i = 0; i < 2; i++) {
      const r = await t.gw.http('/proxy/scim/v2/Users?count=1', { key: t.a.key });
      expect(r.status).toBe(502);
    }
    const st = await t.gw.http(`/api/connections/${t.a.id}/upstream`, { key: t.a.key });
    expect(st.status).toBe(200);
    expect(st.body).toMatchObject({ connectionId: t.a.id, circuit: 'open' });
    t.simA.requests.reset();
    const refused = await t.gw.http('/proxy/scim/v2/Users?count=1', { key: t.a.key });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body.details).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', circuit: 'open' });
    const gql = await t.gw.gql(t.a.key, '{ users(first: 1) { totalCount } }');
    expect(gql.body.errors[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', circuit: 'open' });
    expect(t.simA.requests.count()).toBe(0);
    // B is another connection: its own closed circuit
    expect((await t.gw.gql(t.b.key, '{ users(first: 1) { totalCount } }')).body.errors).toBeUndefined();
    expect((await t.gw.http(`/api/connections/${t.b.id}/upstream`, { key: t.b.key })).body.circuit).toBe('closed');
    // another tenant cannot read A's state; the admin key is not a tenant
    expect((await t.gw.http(`/api/connections/${t.a.id}/upstream`, { key: t.b.key })).status).toBe(404);
    expect((await t.gw.http(`/api/connections/${t.a.id}/upstream`, { key: ADMIN_KEY })).status).toBe(403);
    expect((await t.gw.http(`/api/connections/${t.a.id}/upstream`)).status).toBe(401);
    count.add('per-connection isolation checks', 6);
  });
});
