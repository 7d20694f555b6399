import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulator/index.ts';
import { ERROR_URN, basic, call, startSimulator } from './helpers.ts';

const UNAUTHORIZED = { schemas: [ERROR_URN], detail: 'User does not have access.', status: '401' };

describe('simulator authentication', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ users: 50, oauth: { clientId: 'cid', clientSecret: 'csecret', tokenTtlSeconds: 1 } });
  });
  afterAll(() => sim.close());

  const token = async (auth: string, body = 'grant_type=client_credentials') => {
    const res = await fetch(`${sim.url}/identityiq/oauth2/token`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('listens on 127.0.0.1 with the stock context root', () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.baseUrl).toBe(`${sim.url}/identityiq/scim/v2`);
  });

  it('accepts Basic spadmin/admin', async () => {
    expect((await call(sim, '/Users?count=1')).status).toBe(200);
  });

  it.each([
    ['no credentials', null],
    ['a wrong password', basic('spadmin', 'wrong')],
    ['an unknown user', basic('nobody', 'admin')],
    ['an identity without SCIM rights', basic('norights', 'norights')],
    ['a malformed header', 'Basic !!!'],
    ['an unknown bearer token', 'Bearer nope'],
  ])('answers 401 with the verbatim body for %s', async (_label, auth) => {
    const res = await call(sim, '/Users', { auth });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/scim+json');
    expect(res.json).toEqual(UNAUTHORIZED);
    expect(res.text).toBe(JSON.stringify(UNAUTHORIZED));
  });

  it('puts unknown endpoints behind the auth filter too', async () => {
    expect((await call(sim, '/Groups', { auth: null })).status).toBe(401);
  });

  it('serves /ServiceProviderConfig without credentials', async () => {
    const res = await call(sim, '/ServiceProviderConfig', { auth: null });
    expect(res.status).toBe(200);
    expect(res.json.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    expect(res.json.patch).toEqual({ supported: false });
    expect(res.json.bulk).toEqual({ supported: false, maxOperations: 0, maxPayloadSize: 0 });
    expect(res.json.filter).toEqual({ supported: true, maxResults: 1000 });
    expect(res.json.sort).toEqual({ supported: true });
    expect(res.json.etag).toEqual({ supported: true });
    expect(res.json.authenticationSchemes.map((s: { type: string }) => s.type)).toEqual(['httpbasic', 'oauthbearertoken']);
    expect(res.json.meta.location).toBe(`${sim.baseUrl}/ServiceProviderConfig`);
  });

  it('lets an identity holding SCIMExecutor authenticate', async () => {
    expect((await call(sim, '/Users?count=1', { auth: basic('scim.service', 'scim.service') })).status).toBe(200);
  });

  it('issues OAuth2 client-credentials tokens that expire', async () => {
    const t = await token(basic('cid', 'csecret'));
    expect(t.status).toBe(200);
    expect(t.json).toEqual({ expires_in: 1, token_type: 'bearer', access_token: expect.any(String) });
    const bearer = `Bearer ${t.json['access_token'] as string}`;
    expect((await call(sim, '/Users?count=1', { auth: bearer })).status).toBe(200);
    expect(sim.requests.count({ method: 'POST', path: '/oauth2/token' })).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await call(sim, '/Users?count=1', { auth: bearer });
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual(UNAUTHORIZED);
  });

  it('rejects bad client credentials and other grant types', async () => {
    expect((await token(basic('cid', 'wrong'))).status).toBe(401);
    expect((await token(basic('cid', 'csecret'), 'grant_type=password')).status).toBe(400);
    const get = await fetch(`${sim.url}/identityiq/oauth2/token`);
    expect(get.status).toBe(405);
    await get.text();
  });
});

describe('simulator with custom credentials and context root', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ users: 20, contextRoot: '/iiq', basic: { username: 'svc', password: 's3cret' } });
  });
  afterAll(() => sim.close());

  it('serves under the configured context root with the configured credentials', async () => {
    expect(sim.baseUrl).toBe(`${sim.url}/iiq/scim/v2`);
    expect((await call(sim, '/Users?count=1', { auth: basic('svc', 's3cret') })).status).toBe(200);
    expect((await call(sim, '/Users?count=1', { auth: basic('spadmin', 'admin') })).status).toBe(401);
    const old = await fetch(`${sim.url}/identityiq/scim/v2/Users`, { headers: { authorization: basic('svc', 's3cret') } });
    expect(old.status).toBe(404);
    await old.text();
  });
});
