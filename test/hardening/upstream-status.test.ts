// Query.upstreamStatus: the circuit breaker and concurrency limit of the caller's connection through GraphQL,
// the same figures as the REST status routes. Fault injection opens the breaker (OPEN), recovery closes it
// (CLOSED); in linked-accounts mode each tenant sees its own connection's state only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTwoTenants } from './two-tenants.ts';
import { startGateway, type Gateway } from '../gateway/harness.ts';
import { suiteCounter } from './summary.ts';

const count = suiteCounter('upstream status');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STATUS = `{ upstreamStatus { connectionId circuit { state failures rejected openedAt retryAfterSeconds halfOpenAfterMs } concurrency { active queued limit queueLimit } } }`;

describe('Query.upstreamStatus (single connection)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ ready: false, env: { BREAKER_THRESHOLD: '3', BREAKER_HALF_OPEN_AFTER: '1', UPSTREAM_CONCURRENCY: '4', UPSTREAM_QUEUE: '7' } });
  });
  afterAll(() => gw.close());
  const read = async () => {
    const r = await gw.gql(STATUS);
    expect(r.errors).toBeUndefined();
    return (r.data as any).upstreamStatus;
  };
  const rest = async () => (await (await fetch(`${gw.origin}/healthz/upstream`)).json()) as Record<string, any>;

  it('CLOSED with the configured limits; OPEN after repeated failures (without calling IIQ to say so); CLOSED after recovery', async () => {
    expect(await read()).toEqual({
      connectionId: null,
      circuit: { state: 'CLOSED', failures: 0, rejected: 0, openedAt: null, retryAfterSeconds: null, halfOpenAfterMs: 1000 },
      concurrency: { active: 0, queued: 0, limit: 4, queueLimit: 7 },
    });

    const name = gw.sim.data.users[3]!.userName;
    const q = `query ($n: String) { user(userName: $n) { userName } }`;
    gw.sim.faults.inject({ type: 'status', status: 503, times: 50 });
    for (let i = 0; i < 3; i++) expect((await gw.gql(q, { n: name })).errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    gw.sim.requests.reset();
    const open = await read();
    expect(gw.sim.requests.count()).toBe(0); // reading the state is not an upstream call
    expect(open.circuit.state).toBe('OPEN');
    expect(open.circuit.failures).toBeGreaterThanOrEqual(3);
    expect(Date.parse(open.circuit.openedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(open.circuit.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // the REST face says the same
    const r = await rest();
    expect(r).toMatchObject({ circuit: 'open', failures: open.circuit.failures, openedAt: open.circuit.openedAt, inFlight: 0, queued: 0, concurrency: 4, queueLimit: 7 });
    // a refused call shows up as rejected
    expect((await gw.gql(q, { n: name })).errors?.[0]?.extensions?.circuit).toBe('open');
    expect((await read()).circuit.rejected).toBe(open.circuit.rejected + 1);
    count.add('open circuits read through GraphQL');

    gw.sim.faults.clear();
    await sleep(1_100);
    expect((await gw.gql(q, { n: name })).errors).toBeUndefined(); // the half-open probe succeeds
    const closed = await read();
    expect(closed.circuit).toMatchObject({ state: 'CLOSED', retryAfterSeconds: null, openedAt: open.circuit.openedAt });
    expect((await rest()).circuit).toBe('closed');
    count.add('recoveries read through GraphQL');
  });
});

describe('Query.upstreamStatus (linked accounts): the calling tenant\'s connection', () => {
  const t = useTwoTenants({ BREAKER_THRESHOLD: '2', BREAKER_HALF_OPEN_AFTER: '30' });

  it("A's open circuit is OPEN for A (with A's id), B reads its own CLOSED one", async () => {
    const before = await t.gw.gql(t.a.key, STATUS);
    expect(before.body.errors).toBeUndefined();
    expect(before.body.data.upstreamStatus).toMatchObject({ connectionId: t.a.id, circuit: { state: 'CLOSED', halfOpenAfterMs: 30_000 } });
    t.simA.faults.inject({ type: 'status', status: 502, times: 100 });
    // proxied calls fail (the connection's background membership scan may fail too) until the circuit opens
    for (let i = 0; i < 2; i++) expect([502, 503]).toContain((await t.gw.http('/proxy/scim/v2/Users?count=1', { key: t.a.key })).status);
    const stA = await t.gw.gql(t.a.key, STATUS);
    expect(stA.body.data.upstreamStatus).toMatchObject({ connectionId: t.a.id, circuit: { state: 'OPEN' } });
    expect(stA.body.data.upstreamStatus.circuit.failures).toBeGreaterThanOrEqual(2);
    const rest = await t.gw.http(`/api/connections/${t.a.id}/upstream`, { key: t.a.key });
    expect(rest.body).toMatchObject({ connectionId: t.a.id, circuit: 'open', openedAt: stA.body.data.upstreamStatus.circuit.openedAt });
    const stB = await t.gw.gql(t.b.key, STATUS);
    expect(stB.body.data.upstreamStatus).toMatchObject({ connectionId: t.b.id, circuit: { state: 'CLOSED', failures: 0 } });
    // no key: no status
    expect((await t.gw.gql(null, STATUS)).status).toBe(401);
    t.simA.faults.clear();
    count.add('per-tenant status reads', 2);
  });
});
