// The management API over GraphQL and REST: create, list, update, test, delete, link tokens; typed errors;
// the audit trail; a changed connection is served from its new target at once.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DATABASES } from './databases.ts';
import { startLinkedGateway, startSim, type LinkedGateway, type Sim } from './harness.ts';

const CREATE = `mutation($input: CreateConnectionInput!) { createConnection(input: $input) {
  id label baseUrl status auth { kind username clientId secret } lastCheck { ok steps { name status } userCount roleCount serviceProvider { maxResults } } } }`;

describe.each(DATABASES)('management API ($name store)', ({ make }) => {
  let gw: LinkedGateway;
  let sim1: Sim;
  let sim2: Sim;
  let t: { tenantId: string; key: string };

  beforeAll(async () => {
    [sim1, sim2] = await Promise.all([startSim({ seed: 1, users: 40 }), startSim({ seed: 2, users: 70 })]);
    gw = await startLinkedGateway({ db: make() });
    t = await gw.tenant('Acme');
  });
  afterAll(async () => {
    await gw?.close();
    await gw?.db.drop();
    await Promise.all([sim1?.close(), sim2?.close()]);
  });

  it('GraphQL: create (checked, masked), list, test, update (rechecked, served from the new target), delete', async () => {
    const created = await gw.gql(t.key, CREATE, { input: { label: 'HR', baseUrl: sim1.baseUrl, auth: { kind: 'OAUTH2', clientId: 'iiq-graph', clientSecret: 'iiq-graph-secret' } } });
    const conn = created.body.data.createConnection;
    expect(conn).toMatchObject({ label: 'HR', status: 'ACTIVE', auth: { kind: 'OAUTH2', clientId: 'iiq-graph', username: null, secret: '********' } });
    expect(conn.lastCheck).toMatchObject({ ok: true, userCount: 40, serviceProvider: { maxResults: 1000 } });
    expect(conn.lastCheck.steps.map((s: { name: string }) => s.name)).toEqual(['reachable', 'tls', 'serviceProviderConfig', 'credentials', 'users', 'roles']);

    const list = await gw.gql(t.key, '{ connections { id label status } }');
    expect(list.body.data.connections).toEqual([{ id: conn.id, label: 'HR', status: 'ACTIVE' }]);
    expect((await gw.gql(t.key, '{ users(first: 1) { totalCount } }')).body.data.users.totalCount).toBe(40);

    const tested = await gw.gql(t.key, 'mutation($id: ID!) { testConnection(id: $id) { ok userCount } }', { id: conn.id });
    expect(tested.body.data.testConnection).toEqual({ ok: true, userCount: 40 });

    const updated = await gw.gql(t.key, 'mutation($id: ID!, $input: UpdateConnectionInput!) { updateConnection(id: $id, input: $input) { label baseUrl status lastCheck { userCount } } }', {
      id: conn.id,
      input: { label: 'HR (new)', baseUrl: sim2.baseUrl, auth: { kind: 'BASIC', username: 'spadmin', password: 'admin' } },
    });
    expect(updated.body.data.updateConnection).toEqual({ label: 'HR (new)', baseUrl: sim2.baseUrl, status: 'ACTIVE', lastCheck: { userCount: 70 } });
    // the registry dropped the old client: the next query reads the new IdentityIQ
    expect((await gw.gql(t.key, '{ users(first: 1) { totalCount } }')).body.data.users.totalCount).toBe(70);

    const deleted = await gw.gql(t.key, 'mutation($id: ID!) { deleteConnection(id: $id) }', { id: conn.id });
    expect(deleted.body.data.deleteConnection).toBe(conn.id);
    expect(gw.linked.registry.liveIds()).not.toContain(conn.id);
    const after = await gw.gql(t.key, '{ users(first: 1) { totalCount } }', undefined, conn.id);
    expect(after.status).toBe(404);
    const audit = await gw.store.listAudit(t.tenantId, conn.id);
    expect(audit.map((e) => e.action)).toEqual(['connection.created', 'connection.tested', 'connection.updated', 'connection.deleted']);
    expect(audit[2]!.details).toEqual({ fields: ['auth', 'baseUrl', 'label'], check: 'pass' });
    expect(JSON.stringify(audit)).not.toContain('admin"');
  });

  it('GraphQL: typed errors for bad input and unknown ids', async () => {
    const bad = await gw.gql(t.key, CREATE, { input: { label: 'x', baseUrl: 'not a url', auth: { kind: 'BASIC', username: 'u' } } });
    expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(bad.body.errors[0].extensions.details.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^baseUrl:/), expect.stringMatching(/^auth\.password:/)]));
    const missing = await gw.gql(t.key, 'mutation { testConnection(id: "con_nope") { ok } }');
    expect(missing.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const ttl = await gw.gql(t.key, 'mutation { createLinkToken(ttlSeconds: 5) { token } }');
    expect(ttl.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('GraphQL: a failing check is stored as FAILING, not refused', async () => {
    const created = await gw.gql(t.key, CREATE, { input: { label: 'bad creds', baseUrl: sim1.baseUrl, auth: { kind: 'BASIC', username: 'spadmin', password: 'nope' } } });
    expect(created.body.data.createConnection).toMatchObject({ status: 'FAILING', lastCheck: { ok: false } });
    await gw.gql(t.key, 'mutation($id: ID!) { deleteConnection(id: $id) }', { id: created.body.data.createConnection.id });
  });

  it('REST: the same operations under /api', async () => {
    const created = await gw.http('/api/connections', { key: t.key, body: { label: 'Sales', baseUrl: sim1.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, attributeMap: { department: 'department' } } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ label: 'Sales', status: 'active', auth: { kind: 'basic', username: 'spadmin', password: '********' } });
    const id = created.body.id as string;
    const list = await gw.http('/api/connections', { key: t.key });
    expect(list.body).toMatchObject({ result: [{ id }], next_cursor: null, prev_cursor: null, result_count: 1 });
    expect((await gw.http(`/api/connections/${id}`, { key: t.key })).body.id).toBe(id);
    const patched = await gw.http(`/api/connections/${id}`, { key: t.key, method: 'PATCH', body: { label: 'Sales EU' } });
    expect(patched.body.label).toBe('Sales EU');
    const tested = await gw.http(`/api/connections/${id}/test`, { key: t.key, method: 'POST' });
    expect(tested.body.ok).toBe(true);
    const audit = await gw.http(`/api/connections/${id}/audit`, { key: t.key });
    expect(audit.body.result.map((e: { action: string }) => e.action)).toEqual(['connection.created', 'connection.updated', 'connection.tested']);
    const badBody = await gw.http('/api/connections', { key: t.key, body: '{not json' });
    expect(badBody.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'the body must be JSON', details: { code: 'BAD_USER_INPUT' }, is_remote_error: false });
    const unknownField = await gw.http('/api/connections', { key: t.key, body: { label: 'x', baseUrl: sim1.baseUrl, auth: { kind: 'basic', username: 'a', password: 'b' }, extra: 1 } });
    expect(unknownField.status).toBe(400);
    const token = await gw.http('/api/link-tokens', { key: t.key, body: { ttlSeconds: 120 } });
    expect(token.status).toBe(201);
    expect(token.body.url).toBe(`/connect?token=${encodeURIComponent(token.body.token)}`);
    expect(Date.parse(token.body.expiresAt) - Date.now()).toBeLessThanOrEqual(120_000);
    expect((await gw.http(`/api/connections/${id}`, { key: t.key, method: 'DELETE' })).status).toBe(204);
    expect((await gw.http(`/api/connections/${id}`, { key: t.key })).status).toBe(404);
  });

  it('link tokens: single use, expiring, and a re-link updates only its own connection', async () => {
    const id = await gw.link(t.key, sim1, 'relink me');
    const issued = await gw.gql(t.key, 'mutation($id: ID) { createLinkToken(connectionId: $id, ttlSeconds: 60) { token url expiresAt connectionId } }', { id });
    const { token } = issued.body.data.createLinkToken;
    expect(issued.body.data.createLinkToken.connectionId).toBe(id);
    const session = await gw.http('/connect/api/session', { body: { token } });
    expect(session.body).toMatchObject({ mode: 'relink', connection: { label: 'relink me', baseUrl: sim1.baseUrl } });
    const input = { baseUrl: sim2.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' } };
    const check = await gw.http('/connect/api/check', { body: { token, connection: input } });
    expect(check.body.ok).toBe(true);
    // a typo does not burn the link
    expect((await gw.http('/connect/api/save', { body: { token, connection: { baseUrl: 'nope' } } })).status).toBe(400);
    const saved = await gw.http('/connect/api/save', { body: { token, connection: input } });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ id, baseUrl: sim2.baseUrl, label: 'relink me' });
    const again = await gw.http('/connect/api/save', { body: { token, connection: input } });
    expect(again.status).toBe(401);
    expect(again.body.details.code).toBe('LINK_TOKEN_INVALID');
    const audit = await gw.store.listAudit(t.tenantId, id);
    expect(audit.at(-1)).toMatchObject({ action: 'connection.updated', actor: expect.stringMatching(/^link-token:/) });

    // expired: past its lifetime a token is refused although its signature is valid (only Date is faked)
    const short = await gw.http('/api/link-tokens', { key: t.key, body: { ttlSeconds: 60 } });
    expect((await gw.http('/connect/api/session', { body: { token: short.body.token } })).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      const expired = await gw.http('/connect/api/check', { body: { token: short.body.token, connection: input } });
      expect(expired.status).toBe(401);
      expect(expired.body.details.code).toBe('LINK_TOKEN_INVALID');
    } finally {
      vi.useRealTimers();
    }
    expect((await gw.http('/connect/api/session', { body: { token: 'lt1.e30.AAAA' } })).status).toBe(401);
  });
});
