import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IiqError } from '../../src/iiq/errors.ts';
import type { IiqUser } from '../../src/iiq/types.ts';
import { OAUTH, client, startSim, type Sim } from './sim.ts';

let sim: Sim;
let baseUrl: string;

beforeAll(async () => {
  ({ sim, baseUrl } = await startSim({ users: 30, oauth: { clientId: 'iiq-graph', clientSecret: 'iiq-graph-secret', tokenTtlSeconds: 2 } }));
});
afterAll(async () => {
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

const tokenRequests = () => sim.requests.count({ method: 'POST', path: '/oauth2/token' });

describe('Basic auth', () => {
  it('works with the right credentials', async () => {
    const c = client(baseUrl);
    try {
      expect((await c.listUsers({ count: 1 })).items).toHaveLength(1);
    } finally {
      await c.close();
    }
  });

  it('bad credentials → unauthorized, not retried, message explains IIQ’s double meaning of 401 and leaks nothing', async () => {
    const c = client(baseUrl, { auth: { kind: 'basic', username: 'spadmin', password: 'wrong-secret' } });
    try {
      sim.requests.reset();
      const err = await failure(c.listUsers({ count: 1 }));
      expect(err.kind).toBe('unauthorized');
      expect(err.status).toBe(401);
      expect(err.message).toMatch(/bad credentials/);
      expect(err.message).toMatch(/without SCIM rights/);
      expect(err.message).not.toContain('wrong-secret');
      expect(err.message).not.toContain('spadmin');
      expect(sim.requests.count({ method: 'GET', path: '/Users' })).toBe(1);
    } finally {
      await c.close();
    }
  });

  it('an identity without SCIM rights also gets unauthorized (IIQ maps authorization failures to 401)', async () => {
    const c = client(baseUrl, { auth: { kind: 'basic', username: 'norights', password: 'norights' } });
    try {
      const err = await failure(c.getUser(sim.data.users[0]!.id));
      expect(err.kind).toBe('unauthorized');
      expect(err.message).toMatch(/401 both for bad credentials .* without SCIM rights/);
      // ServiceProviderConfig needs no credentials at all
      expect((await c.serviceProviderConfig()).maxResults).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });
});

describe('ServiceProviderConfig', () => {
  it('is read without credentials; if something in front of IIQ demands them, once more with credentials', async () => {
    const c = client(baseUrl);
    try {
      sim.requests.reset();
      sim.faults.inject({ type: 'status', status: 401, times: 1, method: 'GET', pathPrefix: '/ServiceProviderConfig' });
      expect((await c.serviceProviderConfig()).maxResults).toBe(1000);
      expect(sim.requests.list().filter((r) => r.path === '/ServiceProviderConfig').map((r) => r.status)).toEqual([401, 200]);
    } finally {
      sim.faults.clear();
      await c.close();
    }
  });
});

describe('OAuth2 client credentials', () => {
  it('derives the token URL from the context root, caches the token and shares one token request', async () => {
    const c = client(baseUrl, { auth: OAUTH });
    try {
      sim.requests.reset();
      await Promise.all([c.listUsers({ count: 1 }), c.listUsers({ count: 2 }), c.getUser(sim.data.users[1]!.id)]);
      await c.listUsers({ count: 3 });
      expect(tokenRequests()).toBe(1);
      expect(sim.requests.count({ method: 'GET', path: /^\/Users/ })).toBe(4);
    } finally {
      await c.close();
    }
  });

  it('refreshes before expiry (token lifetime 2 s)', async () => {
    const c = client(baseUrl, { auth: OAUTH });
    try {
      sim.requests.reset();
      await c.listUsers({ count: 1 });
      expect(tokenRequests()).toBe(1);
      await sleep(2100);
      await c.listUsers({ count: 1 });
      expect(tokenRequests()).toBe(2);
      // no request was answered 401: the refresh happened before the server would refuse the token
      expect(sim.requests.list().filter((r) => r.status === 401)).toHaveLength(0);
    } finally {
      await c.close();
    }
  });

  it('refreshes once on a 401 and retries; a second 401 is surfaced', async () => {
    const c = client(baseUrl, { auth: OAUTH });
    try {
      await c.listUsers({ count: 1 });
      sim.requests.reset();
      sim.faults.inject({ type: 'status', status: 401, times: 1, method: 'GET', pathPrefix: '/Users' });
      const u = await c.getUser(sim.data.users[2]!.id);
      expect((u as IiqUser).id).toBe(sim.data.users[2]!.id);
      expect(tokenRequests()).toBe(1);
      expect(sim.requests.count({ method: 'GET', path: /^\/Users\// })).toBe(2);

      sim.requests.reset();
      sim.faults.inject({ type: 'status', status: 401, times: 2, method: 'GET', pathPrefix: '/Users' });
      const err = await failure(c.getUser(sim.data.users[2]!.id));
      expect(err.kind).toBe('unauthorized');
      expect(tokenRequests()).toBe(1);
      expect(sim.requests.count({ method: 'GET', path: /^\/Users\// })).toBe(2);
    } finally {
      sim.faults.clear();
      await c.close();
    }
  });

  it('a wrong client secret → unauthorized from the token endpoint, secret not in the message', async () => {
    const c = client(baseUrl, { auth: { kind: 'oauth2', clientId: 'iiq-graph', clientSecret: 'not-the-secret' } });
    try {
      const err = await failure(c.listUsers({ count: 1 }));
      expect(err.kind).toBe('unauthorized');
      expect(err.operation).toBe('oauth2Token');
      expect(err.message).not.toContain('not-the-secret');
    } finally {
      await c.close();
    }
  });

  it('a failing token endpoint is not retried (POST) and surfaces as upstreamUnavailable', async () => {
    const c = client(baseUrl, { auth: OAUTH });
    try {
      sim.requests.reset();
      sim.faults.inject({ type: 'status', status: 503, times: 1, method: 'POST', pathPrefix: '/oauth2/token' });
      const err = await failure(c.listUsers({ count: 1 }));
      expect(err.kind).toBe('upstreamUnavailable');
      expect(err.operation).toBe('oauth2Token');
      expect(tokenRequests()).toBe(1);
      expect(sim.requests.count({ method: 'GET', path: '/Users' })).toBe(0);
      // not cached: the next call gets a token
      expect((await c.listUsers({ count: 1 })).items).toHaveLength(1);
      expect(tokenRequests()).toBe(2);
    } finally {
      sim.faults.clear();
      await c.close();
    }
  });

  it('an explicit tokenUrl is used', async () => {
    const tokenUrl = `${new URL(baseUrl).origin}/identityiq/oauth2/token`;
    const c = client(baseUrl, { auth: { ...OAUTH, tokenUrl } });
    try {
      sim.requests.reset();
      await c.listUsers({ count: 1 });
      expect(tokenRequests()).toBe(1);
    } finally {
      await c.close();
    }
  });
});
