// Tenancy: every surface needs a key; a tenant never reaches, tests, uses or learns of another tenant's
// connection (404, and the other tenant's IdentityIQ sees no request); two tenants under concurrent load.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { ADMIN_KEY, startLinkedGateway, startSim, upstreamCount, type LinkedGateway, type Sim } from './harness.ts';

describe('linked accounts: authentication and tenant isolation', () => {
  let gw: LinkedGateway;
  let simA: Sim;
  let simB: Sim;
  let a: { tenantId: string; key: string };
  let b: { tenantId: string; key: string };
  let connA: string;
  let connB: string;

  beforeAll(async () => {
    [simA, simB] = await Promise.all([startSim({ seed: 1, users: 60 }), startSim({ seed: 2, users: 80 })]);
    gw = await startLinkedGateway();
    a = await gw.tenant('Tenant A');
    b = await gw.tenant('Tenant B');
    connA = await gw.link(a.key, simA, 'A');
    connB = await gw.link(b.key, simB, 'B');
  });
  afterAll(async () => {
    await gw?.close();
    await Promise.all([simA?.close(), simB?.close()]);
  });

  it('refuses every surface without a valid key (401), before any upstream request', async () => {
    simA.requests.reset();
    const bad = 'iiqg_AAAAAAAAAAAAAAAA_' + 'x'.repeat(43);
    for (const key of [null, bad, 'not-a-key']) {
      expect((await gw.gql(key, '{ users(first: 1) { totalCount } }')).status).toBe(401);
      expect((await gw.http('/unified/user-directory/users', { key })).status).toBe(401);
      expect((await gw.http('/proxy/scim/v2/Users', { key })).status).toBe(401);
      expect((await gw.http('/api/connections', { key })).status).toBe(401);
      expect((await gw.http('/admin/tenants', { key })).status).toBe(401);
    }
    const res = await gw.http('/unified/user-directory/users', { key: bad });
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'the API key is not valid (unknown or revoked)', details: { code: 'UNAUTHENTICATED' }, is_remote_error: false });
    const gql = await gw.gql(null, '{ users(first: 1) { totalCount } }');
    expect(gql.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(upstreamCount(simA)).toBe(0);
  });

  it('keeps the admin key and tenant keys apart (403 both ways)', async () => {
    expect((await gw.http('/admin/tenants', { key: a.key })).status).toBe(403);
    expect((await gw.http('/admin/tenants', { key: a.key, body: { name: 'x' } })).status).toBe(403);
    expect((await gw.gql(ADMIN_KEY, '{ connections { id } }')).status).toBe(403);
    expect((await gw.http('/unified/user-directory/users', { key: ADMIN_KEY })).status).toBe(403);
  });

  it('serves each tenant its own connection by default', async () => {
    const ra = await gw.gql(a.key, '{ users(first: 1) { totalCount } }');
    const rb = await gw.gql(b.key, '{ users(first: 1) { totalCount } }');
    expect(ra.body.data.users.totalCount).toBe(simA.data.users.length);
    expect(rb.body.data.users.totalCount).toBe(simB.data.users.length);
    expect(simA.data.users.length).not.toBe(simB.data.users.length);
  });

  it("answers 404 for another tenant's connection on every surface, and B's IdentityIQ sees nothing", async () => {
    simB.requests.reset();
    const asA = { key: a.key, connectionId: connB };
    const gql = await gw.gql(a.key, '{ users(first: 1) { totalCount } }', undefined, connB);
    expect(gql.status).toBe(404);
    expect(gql.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const mgmt = await gw.gql(a.key, '{ connections { id } }', undefined, connB);
    expect(mgmt.status).toBe(404);
    for (const m of ['testConnection(id: $id) { ok }', 'deleteConnection(id: $id)', 'updateConnection(id: $id, input: { label: "stolen" }) { id }', 'createLinkToken(connectionId: $id) { token }']) {
      const r = await gw.gql(a.key, `mutation($id: ID!) { ${m} }`, { id: connB });
      expect(r.body.errors?.[0]?.extensions?.code, m).toBe('NOT_FOUND');
    }
    const surfaces: [string, Parameters<LinkedGateway['http']>[1]][] = [
      ['/unified/user-directory/users', asA],
      ['/unified/user-directory/roles', asA],
      ['/proxy/scim/v2/Users', asA],
      ['/proxy/scim/v2/Users', { ...asA, method: 'POST', body: { userName: 'x' } }],
      [`/api/connections/${connB}`, { key: a.key }],
      [`/api/connections/${connB}`, { key: a.key, method: 'PATCH', body: { label: 'stolen' } }],
      [`/api/connections/${connB}`, { key: a.key, method: 'DELETE' }],
      [`/api/connections/${connB}/test`, { key: a.key, method: 'POST' }],
      [`/api/connections/${connB}/audit`, { key: a.key }],
      ['/api/link-tokens', { key: a.key, body: { connectionId: connB } }],
    ];
    for (const [path, init] of surfaces) {
      const r = await gw.http(path, init);
      expect(r.status, `${init?.method ?? 'GET'} ${path}`).toBe(404);
      expect(r.body.details.code).toBe('NOT_FOUND');
      expect(JSON.stringify(r.body)).not.toContain(simB.baseUrl);
    }
    // A's list never shows B's connection
    const list = await gw.http('/api/connections', { key: a.key });
    expect(list.body.result.map((c: { id: string }) => c.id)).toEqual([connA]);
    expect(upstreamCount(simB)).toBe(0);
    // and B's connection is intact
    expect((await gw.http(`/api/connections/${connB}`, { key: b.key })).body.label).toBe('B');
  });

  it("does not let a tampered link token act for another tenant", async () => {
    simB.requests.reset();
    const issued = await gw.http('/api/link-tokens', { key: a.key, body: {} });
    expect(issued.status).toBe(201);
    const [v, payload, sig] = (issued.body.token as string).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = `${v}.${Buffer.from(JSON.stringify({ ...claims, tid: b.tenantId, cid: connB })).toString('base64url')}.${sig}`;
    for (const path of ['/connect/api/session', '/connect/api/check', '/connect/api/save']) {
      const r = await gw.http(path, { body: { token: forged, connection: { baseUrl: simB.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' } } } });
      expect(r.status, path).toBe(401);
      expect(r.body.details.code).toBe('LINK_TOKEN_INVALID');
    }
    expect(upstreamCount(simB)).toBe(0);
  });

  it('revoked keys stop working', async () => {
    const k = await gw.http(`/admin/tenants/${a.tenantId}/api-keys`, { key: ADMIN_KEY, body: { label: 'temp' } });
    expect((await gw.http('/api/connections', { key: k.body.key })).status).toBe(200);
    const listed = await gw.http(`/admin/tenants/${a.tenantId}/api-keys`, { key: ADMIN_KEY });
    expect(listed.body.result.map((x: { label: string }) => x.label)).toEqual(['test', 'temp']);
    expect(JSON.stringify(listed.body)).not.toMatch(/hash|iiqg_/);
    expect((await gw.http(`/admin/tenants/${a.tenantId}/api-keys/${k.body.id}`, { key: ADMIN_KEY, method: 'DELETE' })).status).toBe(204);
    expect((await gw.http('/api/connections', { key: k.body.key })).status).toBe(401);
  });

  it('asks for X-Connection-Id when a tenant has several connections, and for a connection when it has none', async () => {
    const c = await gw.tenant('Tenant C');
    const none = await gw.gql(c.key, '{ connections { id } users(first: 1) { totalCount } }');
    expect(none.status).toBe(200);
    expect(none.body.data).toBeNull();
    const onlyConnections = await gw.gql(c.key, '{ connections { id } }');
    expect(onlyConnections.body.data.connections).toEqual([]);
    const usersNone = await gw.gql(c.key, '{ users(first: 1) { totalCount } }');
    expect(usersNone.body.errors[0].extensions.code).toBe('CONNECTION_REQUIRED');
    const c1 = await gw.link(c.key, simA, 'one');
    const c2 = await gw.link(c.key, simB, 'two');
    const rest = await gw.http('/unified/user-directory/users?limit=1', { key: c.key });
    expect(rest.status).toBe(400);
    expect(rest.body.details.code).toBe('CONNECTION_REQUIRED');
    const r1 = await gw.gql(c.key, '{ users(first: 1) { totalCount } }', undefined, c1);
    const r2 = await gw.gql(c.key, '{ users(first: 1) { totalCount } }', undefined, c2);
    expect([r1.body.data.users.totalCount, r2.body.data.users.totalCount]).toEqual([simA.data.users.length, simB.data.users.length]);
  });

  it('two tenants against two IdentityIQs under concurrent load each see only their own data', async () => {
    const namesA = new Set(simA.data.users.map((u) => u.userName));
    const namesB = new Set(simB.data.users.map((u) => u.userName));
    const onlyA = [...namesA].filter((n) => !namesB.has(n));
    const onlyB = [...namesB].filter((n) => !namesA.has(n));
    expect(onlyA.length).toBeGreaterThan(10);
    expect(onlyB.length).toBeGreaterThan(10);
    const jobs = Array.from({ length: 60 }, (_, i) => {
      const t = i % 2 === 0 ? { who: 'A', key: a.key, names: namesA } : { who: 'B', key: b.key, names: namesB };
      const first = 10 + (i % 3) * 5;
      if (i % 4 < 2) {
        return gw.gql(t.key, `{ users(first: ${first}) { edges { node { userName roles(first: 2) { edges { node { name } } } } } } }`)
          .then((r) => ({ who: t.who, names: t.names, got: (r.body.data?.users.edges ?? []).map((e: any) => e.node.userName) as string[], status: r.status }));
      }
      return gw.http(`/unified/user-directory/users?limit=25`, { key: t.key })
        .then((r) => ({ who: t.who, names: t.names, got: (r.body.result ?? []).map((u: any) => u.username) as string[], status: r.status }));
    });
    const results = await Promise.all(jobs);
    for (const r of results) {
      expect(r.got.length, `${r.who} status ${r.status}`).toBeGreaterThan(0);
      for (const n of r.got) expect(r.names.has(n), `${r.who} got ${n}`).toBe(true);
    }
    // each tenant's state lives under its own connection id
    expect(gw.linked.registry.liveIds()).toEqual(expect.arrayContaining([connA, connB]));
  });
});

describe('single-connection mode bind rules', () => {
  it('refuses a non-loopback bind without API keys, with a clear message', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/not a loopback address and no API keys are configured.*IIQ_GRAPH_ADMIN_KEY/s);
    expect(() => loadConfig({ HOST: '192.168.1.10', IIQ_BASE_URL: 'https://iiq.example.com/identityiq/scim/v2', IIQ_USERNAME: 'u', IIQ_PASSWORD: 'p' })).toThrow(/loopback/);
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2']) expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  it('accepts any bind in linked-accounts mode, which needs a valid secret key and no IIQ_BASE_URL', () => {
    const secret = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
    expect(loadConfig({ HOST: '0.0.0.0', IIQ_GRAPH_ADMIN_KEY: ADMIN_KEY, IIQ_GRAPH_SECRET_KEY: secret }).linked).toMatchObject({ dataDir: './data' });
    expect(() => loadConfig({ IIQ_GRAPH_ADMIN_KEY: ADMIN_KEY })).toThrow(/IIQ_GRAPH_SECRET_KEY/);
    expect(() => loadConfig({ IIQ_GRAPH_ADMIN_KEY: ADMIN_KEY, IIQ_GRAPH_SECRET_KEY: 'k1:c2hvcnQ=' })).toThrow(/32 bytes/);
    expect(() => loadConfig({ IIQ_GRAPH_ADMIN_KEY: 'short', IIQ_GRAPH_SECRET_KEY: secret })).toThrow(/at least 24/);
    expect(() => loadConfig({ IIQ_GRAPH_ADMIN_KEY: ADMIN_KEY, IIQ_GRAPH_SECRET_KEY: secret, IIQ_BASE_URL: 'https://iiq.example.com/identityiq/scim/v2', IIQ_USERNAME: 'u', IIQ_PASSWORD: 'p' })).toThrow(/two modes/);
    try {
      loadConfig({ IIQ_GRAPH_ADMIN_KEY: ADMIN_KEY, IIQ_GRAPH_SECRET_KEY: 'k1:' + Buffer.alloc(16, 9).toString('base64') });
    } catch (err) {
      expect((err as Error).message).not.toContain(Buffer.alloc(16, 9).toString('base64'));
    }
  });
});
