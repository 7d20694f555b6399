import { Pool, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IiqError } from '../../src/iiq/errors.ts';
import type { IiqUser } from '../../src/iiq/types.ts';
import { client, startSim, type Sim } from './sim.ts';

let sim: Sim;
let baseUrl: string;

beforeAll(async () => {
  ({ sim, baseUrl } = await startSim({ users: 40 }));
});
afterAll(async () => {
  await sim.close();
});

/** A real Pool to the simulator with an interceptor that records the request headers. */
function recordingPool(): { pool: Pool; dispatcher: Dispatcher; headers: Record<string, string>[] } {
  const pool = new Pool(new URL(baseUrl).origin, { connections: 1 });
  const headers: Record<string, string>[] = [];
  const dispatcher = pool.compose((dispatch) => (opts, handler) => {
    headers.push({ ...(opts.headers as Record<string, string>) });
    return dispatch(opts, handler);
  });
  return { pool, dispatcher, headers };
}

describe('transport', () => {
  it('sends Accept: application/scim+json, a User-Agent and the per-call X-Request-Id; credentials only where needed', async () => {
    const { pool, dispatcher, headers } = recordingPool();
    const c = client(baseUrl, { dispatcher, userAgent: 'iiq-graph-test/1' });
    try {
      await c.listUsers({ count: 1 }, { requestId: 'req-123' });
      const [spc, list] = headers;
      expect(spc!.accept).toBe('application/scim+json');
      expect(spc!.authorization).toBeUndefined(); // ServiceProviderConfig is unauthenticated in IIQ
      expect(list!.accept).toBe('application/scim+json');
      expect(list!['user-agent']).toBe('iiq-graph-test/1');
      expect(list!['x-request-id']).toBe('req-123');
      expect(list!.authorization).toMatch(/^Basic /);
    } finally {
      await c.close();
      await pool.close();
    }
  });

  it('reuses one keep-alive connection across successes and failures: every body is consumed', async () => {
    const { pool, dispatcher } = recordingPool();
    const c = client(baseUrl, { dispatcher });
    try {
      const s = sim.data.users[4]!;
      sim.faults.inject({ type: 'status', status: 503, times: 2, method: 'GET', pathPrefix: '/Users' });
      expect(((await c.getUser(s.id)) as IiqUser).id).toBe(s.id);
      expect(await c.getUser('ffffffffffffffffffffffffffffffff')).toBeNull();
      await expect(c.createUser({ userName: s.userName })).rejects.toBeInstanceOf(IiqError);
      await expect(c.deleteUser('ffffffffffffffffffffffffffffffff')).rejects.toBeInstanceOf(IiqError);
      expect(await c.getUser(s.id, { ifNoneMatch: ((await c.getUser(s.id)) as IiqUser).version! })).toEqual({ notModified: true });
      for (let i = 0; i < 10; i++) await c.listUsers({ count: 20, startIndex: 1 + i });
      // a body left unread would pin its connection; with one connection the next request would hang
      expect(pool.stats.connected).toBe(1);
      expect(pool.stats.running).toBe(0);
      expect(pool.stats.pending).toBe(0);
    } finally {
      sim.faults.clear();
      await c.close();
      await pool.close();
    }
  });

  it('bounds connections per base URL (maxConnections) while running parallel windows', async () => {
    const { sim: slow, baseUrl: slowBase } = await startSim({ users: 40, latency: { baseMs: 40, perItemMs: 0, perItemRolesMs: 0 } });
    const c2 = client(slowBase, { maxConnections: 2 });
    try {
      await c2.serviceProviderConfig();
      const started = Date.now();
      let n = 0;
      for await (const _ of c2.iterateUsers({}, { pageSize: 5, concurrency: 8 })) n++;
      const elapsed = Date.now() - started;
      expect(n).toBe(await c2.countUsers());
      // 8 pages at 40 ms each through 2 connections take at least 4 rounds; with 8 connections it would be ~2
      expect(elapsed).toBeGreaterThanOrEqual(4 * 40 - 10);
    } finally {
      await c2.close();
      await slow.close();
    }
  });

  it('a server-side 400 tooMany (count above scimSearchMaxResults) maps to tooMany, not retried', async () => {
    // the client clamps count itself, so an interceptor raises it on the wire to provoke IIQ's answer
    const pool = new Pool(new URL(baseUrl).origin);
    const dispatcher = pool.compose((dispatch) => (opts, handler) => dispatch({ ...opts, path: opts.path.replace(/([?&])count=\d+/, '$1count=5000') }, handler));
    const c = client(baseUrl, { dispatcher });
    try {
      sim.requests.reset();
      const err = await c.listUsers({ count: 10 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IiqError);
      expect((err as IiqError).kind).toBe('tooMany');
      expect((err as IiqError).status).toBe(400);
      expect((err as IiqError).scimType).toBe('tooMany');
      expect(sim.requests.count({ method: 'GET', path: '/Users' })).toBe(1);
    } finally {
      await c.close();
      await pool.close();
    }
  });

  it('Retry-After given as an HTTP date is honoured', async () => {
    const c = client(baseUrl);
    try {
      await c.serviceProviderConfig();
      sim.requests.reset();
      const at = new Date(Math.ceil((Date.now() + 1000) / 1000) * 1000 + 1000);
      sim.faults.inject({ type: 'rateLimit', retryAfter: at.toUTCString(), times: 1, method: 'GET', pathPrefix: '/Users' });
      await c.listUsers({ count: 1 });
      const done = Date.now();
      expect(done).toBeGreaterThanOrEqual(at.getTime() - 50);
      expect(done).toBeLessThan(at.getTime() + 800);
      expect(sim.requests.count({ method: 'GET', path: '/Users' })).toBe(2);
    } finally {
      sim.faults.clear();
      await c.close();
    }
  });

  it('rejects a baseUrl with credentials or a non-http scheme, and oauth2 without a derivable token URL', () => {
    expect(() => client('http://u:p@127.0.0.1/identityiq/scim/v2')).toThrow(/must not carry credentials/);
    expect(() => client('ftp://127.0.0.1/identityiq/scim/v2')).toThrow(/http/);
    expect(() => client('http://127.0.0.1/identityiq/api', { auth: { kind: 'oauth2', clientId: 'a', clientSecret: 'b' } })).toThrow(/tokenUrl/);
  });
});
