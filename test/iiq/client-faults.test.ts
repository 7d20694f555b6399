import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IiqError } from '../../src/iiq/errors.ts';
import { f } from '../../src/iiq/filter.ts';
import type { IiqClient, IiqUser, UserField } from '../../src/iiq/types.ts';
import { client, collect, startSim, type Sim } from './sim.ts';

let sim: Sim;
let baseUrl: string;
let c: IiqClient;

beforeAll(async () => {
  ({ sim, baseUrl } = await startSim({ users: 60 }));
  c = client(baseUrl, { retry: { maxAttempts: 3 } });
  await c.serviceProviderConfig();
});
afterEach(() => {
  sim.faults.clear();
  sim.requests.reset();
});
afterAll(async () => {
  await c.close();
  await sim.close();
});

async function failure(p: Promise<unknown>): Promise<IiqError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(IiqError);
    return err as IiqError;
  }
  throw new Error('expected the call to fail');
}

const someId = () => sim.data.users[5]!.id;
const gets = (path: RegExp = /^\/Users/) => sim.requests.count({ method: 'GET', path });

describe('retries', () => {
  for (const status of [502, 503, 504]) {
    it(`GET is retried on ${status} and succeeds on the third attempt`, async () => {
      sim.faults.inject({ type: 'status', status, times: 2, method: 'GET', pathPrefix: '/Users' });
      const u = await c.getUser(someId());
      expect((u as IiqUser).id).toBe(someId());
      expect(gets()).toBe(3);
    });
  }

  it('gives up after maxAttempts with upstreamUnavailable and the attempt count', async () => {
    sim.faults.inject({ type: 'status', status: 503, times: 10, method: 'GET', pathPrefix: '/Users' });
    const err = await failure(c.getUser(someId()));
    expect(err.kind).toBe('upstreamUnavailable');
    expect(err.status).toBe(503);
    expect(err.attempts).toBe(3);
    expect(gets()).toBe(3);
  });

  it('429 is retried honouring Retry-After (1 s) within bounds', async () => {
    sim.faults.inject({ type: 'rateLimit', retryAfter: '1', times: 1, method: 'GET', pathPrefix: '/Users' });
    const started = Date.now();
    await c.listUsers({ count: 2 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(1800);
    expect(gets()).toBe(2);
  });

  it('Retry-After is capped by maxRetryAfterMs', async () => {
    const capped = client(baseUrl, { retry: { maxRetryAfterMs: 200 } });
    try {
      sim.faults.inject({ type: 'rateLimit', retryAfter: '30', times: 1, method: 'GET', pathPrefix: '/Users' });
      const started = Date.now();
      await capped.listUsers({ count: 2 });
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(190);
      expect(elapsed).toBeLessThan(1500);
    } finally {
      await capped.close();
    }
  });

  it('429 after all attempts → tooMany', async () => {
    sim.faults.inject({ type: 'rateLimit', retryAfter: '0', times: 10, method: 'GET', pathPrefix: '/Users' });
    const err = await failure(c.listUsers({ count: 2 }));
    expect(err.kind).toBe('tooMany');
    expect(err.status).toBe(429);
    expect(gets()).toBe(3);
  });

  it('the time budget stops retrying', async () => {
    const tight = client(baseUrl, { retry: { maxAttempts: 10, budgetMs: 600, maxRetryAfterMs: 400 } });
    try {
      sim.faults.inject({ type: 'rateLimit', retryAfter: '1', times: 10, method: 'GET', pathPrefix: '/Users' });
      const started = Date.now();
      const err = await failure(tight.listUsers({ count: 2 }));
      expect(Date.now() - started).toBeLessThan(1500);
      expect(err.kind).toBe('tooMany');
      expect(gets()).toBe(2);
    } finally {
      await tight.close();
    }
  });

  it('POST is never retried', async () => {
    sim.faults.inject({ type: 'status', status: 503, times: 5, method: 'POST', pathPrefix: '/Users' });
    const err = await failure(c.createUser({ userName: 'never.retried' }));
    expect(err.kind).toBe('upstreamUnavailable');
    expect(err.attempts).toBe(1);
    expect(sim.requests.count({ method: 'POST', path: '/Users' })).toBe(1);
    sim.faults.clear();
    sim.faults.inject({ type: 'reset', times: 5, method: 'POST', pathPrefix: '/Users' });
    const err2 = await failure(c.createUser({ userName: 'never.retried' }));
    expect(err2.kind).toBe('transport');
    expect(sim.requests.count({ method: 'POST', path: '/Users' })).toBe(2);
    expect(sim.data.userByName('never.retried')).toBeUndefined();
  });

  it('PUT and DELETE are retried only with If-Match', async () => {
    const s = sim.data.users[7]!;
    const current = (await c.getUser(s.id)) as IiqUser;
    sim.requests.reset();
    sim.faults.inject({ type: 'status', status: 503, times: 1, method: 'PUT', pathPrefix: '/Users' });
    const err = await failure(c.replaceUser(s.id, { userName: s.userName, displayName: 'No Precondition' }));
    expect(err.kind).toBe('upstreamUnavailable');
    expect(sim.requests.count({ method: 'PUT' })).toBe(1);
    sim.faults.inject({ type: 'status', status: 503, times: 1, method: 'PUT', pathPrefix: '/Users' });
    const updated = await c.replaceUser(s.id, { userName: s.userName, displayName: 'With Precondition' }, { ifMatch: current.version! });
    expect(updated.displayName).toBe('With Precondition');
    expect(sim.requests.count({ method: 'PUT' })).toBe(3);

    const victim = sim.data.users[8]!;
    const v = (await c.getUser(victim.id)) as IiqUser;
    sim.faults.inject({ type: 'status', status: 502, times: 1, method: 'DELETE' });
    expect((await failure(c.deleteUser(victim.id))).kind).toBe('upstreamUnavailable');
    sim.faults.inject({ type: 'status', status: 502, times: 1, method: 'DELETE' });
    await c.deleteUser(victim.id, { ifMatch: v.version! });
    expect(sim.requests.count({ method: 'DELETE' })).toBe(3);
    expect(await c.getUser(victim.id)).toBeNull();
  });

  it('connection resets on GET are retried; persistent resets surface as transport with the undici code', async () => {
    sim.faults.inject({ type: 'reset', times: 1, method: 'GET', pathPrefix: '/Users' });
    expect(((await c.getUser(someId())) as IiqUser).id).toBe(someId());
    expect(gets()).toBe(2);
    sim.requests.reset();
    sim.faults.inject({ type: 'reset', times: 10, method: 'GET', pathPrefix: '/Users' });
    const err = await failure(c.getUser(someId()));
    expect(err.kind).toBe('transport');
    expect(err.code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET|UND_ERR_CLOSED)$/);
    expect(err.attempts).toBe(3);
  });
});

describe('bad bodies', () => {
  it('invalid JSON → invalidResponse, not retried', async () => {
    sim.faults.inject({ type: 'invalidJson', times: 1, method: 'GET', pathPrefix: '/Users' });
    const err = await failure(c.listUsers({ count: 3 }));
    expect(err.kind).toBe('invalidResponse');
    expect(err.operation).toBe('listUsers');
    expect(gets()).toBe(1);
  });

  it('truncated body (socket dropped mid-body) → retried on GET, then transport with the undici code', async () => {
    sim.faults.inject({ type: 'truncate', times: 1, method: 'GET', pathPrefix: '/Users' });
    expect((await c.listUsers({ count: 3 })).items).toHaveLength(3);
    expect(gets()).toBe(2);
    sim.requests.reset();
    sim.faults.inject({ type: 'truncate', times: 10, method: 'GET', pathPrefix: '/Users' });
    const err = await failure(c.listUsers({ count: 3 }));
    expect(err.kind).toBe('transport');
    expect(err.code).toBe('UND_ERR_SOCKET');
    expect(err.attempts).toBe(3);
    expect(gets()).toBe(3);
  });

  it('truncated body on a POST is not retried', async () => {
    sim.faults.inject({ type: 'truncate', times: 1, method: 'POST', pathPrefix: '/Users' });
    const err = await failure(c.createUser({ userName: 'truncated.create' }));
    expect(err.kind).toBe('transport');
    expect(sim.requests.count({ method: 'POST', path: '/Users' })).toBe(1);
  });

  it('schema-violating body → invalidResponse with issue paths and no values', async () => {
    sim.faults.inject({ type: 'badSchema', times: 1, method: 'GET', pathPrefix: '/Users' });
    const err = await failure(c.listUsers({ count: 3 }));
    expect(err.kind).toBe('invalidResponse');
    expect(err.issues?.length).toBeGreaterThan(0);
    for (const i of err.issues!) expect(i.path).toMatch(/^[\w.$:-]+$|^\(root\)$/);
    const page = await c.listUsers({ count: 3 });
    for (const u of page.items) {
      expect(err.message).not.toContain(u.userName);
      expect(JSON.stringify(err.issues)).not.toContain(u.userName);
    }
  });
});

describe('error kinds', () => {
  it('notFound: deleting an unknown user', async () => {
    const err = await failure(c.deleteUser('ffffffffffffffffffffffffffffffff'));
    expect(err.kind).toBe('notFound');
    expect(err.status).toBe(404);
  });

  it('conflict: creating a duplicate userName; detail kept off the message', async () => {
    const s = sim.data.users[9]!;
    const err = await failure(c.createUser({ userName: s.userName }));
    expect(err.kind).toBe('conflict');
    expect(err.status).toBe(409);
    expect(err.scimType).toBe('uniqueness');
    expect(err.message).not.toContain(s.userName);
  });

  it('preconditionFailed: replacing with a stale If-Match', async () => {
    const s = sim.data.users[11]!;
    const err = await failure(c.replaceUser(s.id, { userName: s.userName }, { ifMatch: 'W/"1"' }));
    expect(err.kind).toBe('preconditionFailed');
    expect(err.status).toBe(412);
  });

  it('mutability: changing userName', async () => {
    const s = sim.data.users[12]!;
    const err = await failure(c.replaceUser(s.id, { userName: `${s.userName}.renamed` }));
    expect(err.kind).toBe('mutability');
    expect(err.scimType).toBe('mutability');
    expect(err.message).not.toContain(s.userName);
  });

  it('invalidFilter: an unknown custom attribute is refused by the server', async () => {
    const err = await failure(c.listUsers({ filter: f.eq('custom:noSuchAttribute' as UserField, 'x') }));
    expect(err.kind).toBe('invalidFilter');
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('invalidFilter');
  });

  it('invalidFilter: an attribute outside the allow-list is refused before any request', async () => {
    const err = await failure(c.listUsers({ filter: f.eq('password' as UserField, 'x') }));
    expect(err.kind).toBe('invalidFilter');
    expect(err.status).toBeUndefined();
    expect(gets()).toBe(0);
  });

  it('badRequest: a 400 without a scimType', async () => {
    sim.faults.inject({ type: 'status', status: 400, times: 1, method: 'GET', pathPrefix: '/Users' });
    const err = await failure(c.listUsers({ count: 1 }));
    expect(err.kind).toBe('badRequest');
    expect(err.status).toBe(400);
  });

  it('upstreamUnavailable: a 500 is not retried', async () => {
    sim.faults.inject({ type: 'status', status: 500, times: 1, method: 'GET', pathPrefix: '/Users' });
    const err = await failure(c.listUsers({ count: 1 }));
    expect(err.kind).toBe('upstreamUnavailable');
    expect(gets()).toBe(1);
  });

  it('upstreamUnavailable: header timeout, retried, then surfaced with the undici code', async () => {
    // undici's header/body timers have a resolution of about one second (its "fast timers")
    const slow = client(baseUrl, { timeouts: { headersMs: 300 }, retry: { maxAttempts: 2 } });
    try {
      sim.faults.inject({ type: 'delay', delayMs: 3000, times: 2, method: 'GET', pathPrefix: '/Users' });
      const started = Date.now();
      const err = await failure(slow.listUsers({ count: 1 }));
      expect(err.kind).toBe('upstreamUnavailable');
      expect(err.code).toBe('UND_ERR_HEADERS_TIMEOUT');
      expect(err.attempts).toBe(2);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await slow.close();
    }
  });

  it('transport: connection refused carries ECONNREFUSED', async () => {
    const srv: Server = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const dead = client(`http://127.0.0.1:${port}/identityiq/scim/v2`, { retry: { maxAttempts: 2 } });
    try {
      const err = await failure(dead.serviceProviderConfig());
      expect(err.kind).toBe('transport');
      expect(err.code).toBe('ECONNREFUSED');
      expect(err.attempts).toBe(2);
    } finally {
      await dead.close();
    }
  });

  it('aborted: the caller’s AbortSignal stops a slow call and a retry wait', async () => {
    sim.faults.inject({ type: 'delay', delayMs: 2000, times: 1, method: 'GET', pathPrefix: '/Users' });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    const started = Date.now();
    const err = await failure(c.listUsers({ count: 1 }, { signal: ctl.signal }));
    expect(err.kind).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(1000);
    sim.faults.clear();
    sim.faults.inject({ type: 'rateLimit', retryAfter: '5', times: 1, method: 'GET', pathPrefix: '/Users' });
    const ctl2 = new AbortController();
    setTimeout(() => ctl2.abort(), 100);
    expect((await failure(c.listUsers({ count: 1 }, { signal: ctl2.signal }))).kind).toBe('aborted');
    expect((await failure(c.listUsers({ count: 1 }, { signal: AbortSignal.abort() }))).kind).toBe('aborted');
  });

  it('aborting an iteration through the caller’s signal surfaces as aborted', async () => {
    const ctl = new AbortController();
    sim.faults.inject({ type: 'delay', delayMs: 1500, times: 1, method: 'GET', pathPrefix: '/Users' });
    let n = 0;
    const run = (async () => {
      for await (const _ of c.iterateUsers({}, { pageSize: 5, concurrency: 3 }, { signal: ctl.signal })) n++;
    })();
    setTimeout(() => ctl.abort(), 100);
    const err = await failure(run);
    expect(err.kind).toBe('aborted');
    expect(n).toBe(0);
  });

  it('an iterator stopped early aborts its in-flight windows, and a failing window surfaces as a typed error', async () => {
    let n = 0;
    for await (const _ of c.iterateUsers({}, { pageSize: 5, concurrency: 4 })) if (++n === 7) break;
    expect(n).toBe(7);
    await new Promise((r) => setTimeout(r, 100)); // let the aborted windows reach the server before the fault
    sim.requests.reset();
    sim.faults.inject({ type: 'status', status: 500, times: 1, method: 'GET', pathPrefix: '/Users' });
    const err = await failure(collect(c.iterateUsers({}, { pageSize: 5, concurrency: 4 })));
    expect(err.kind).toBe('upstreamUnavailable');
    expect(err.operation).toBe('iterateUsers');
    expect(gets()).toBe(1);
  });
});
