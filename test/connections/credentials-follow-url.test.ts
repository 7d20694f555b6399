// Stored credentials never follow a connection to a new host: changing the base URL's origin or the proxy URL
// without re-entering the credentials is refused (BAD_USER_INPUT) on every update path, before any probe.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLinkedGateway, startSim, type LinkedGateway, type Sim } from './harness.ts';

/** An HTTP server on 127.0.0.1 that records the Authorization header of every request it gets (and refuses them). */
async function recorder() {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers.authorization ?? '(none)');
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, origin, baseUrl: `${origin}/identityiq/scim/v2`, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const STORED_BASIC = basic('spadmin', 'admin');
const STORED_OAUTH = basic('iiq-graph', 'iiq-graph-secret');

describe('credentials do not follow a connection to a new host', () => {
  let gw: LinkedGateway;
  let sim: Sim;
  let rec: Awaited<ReturnType<typeof recorder>>;
  let key: string;
  let basicId: string;
  let oauthId: string;

  beforeAll(async () => {
    [sim, rec] = await Promise.all([startSim({ users: 5 }), recorder()]);
    gw = await startLinkedGateway();
    ({ key } = await gw.tenant('T'));
    basicId = await gw.link(key, sim, 'basic');
    oauthId = (await gw.http('/api/connections', { key, body: { label: 'oauth', baseUrl: sim.baseUrl, auth: { kind: 'oauth2', clientId: 'iiq-graph', clientSecret: 'iiq-graph-secret' } } })).body.id;
  });
  afterAll(async () => {
    await gw?.close();
    await Promise.all([sim?.close(), rec?.close()]);
  });

  it('GraphQL updateConnection: a new origin or proxy without auth is BAD_USER_INPUT, nothing is sent', async () => {
    const mutation = 'mutation($id: ID!, $input: UpdateConnectionInput!) { updateConnection(id: $id, input: $input) { id baseUrl } }';
    for (const [id, input] of [
      [basicId, { baseUrl: rec.baseUrl }],
      [oauthId, { baseUrl: rec.baseUrl }],
      [basicId, { proxyUrl: rec.origin }],
      [oauthId, { label: 'moved', baseUrl: rec.baseUrl, proxyUrl: rec.origin }],
    ] as const) {
      const res = await gw.gql(key, mutation, { id, input });
      expect(res.body.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(res.body.errors[0].message).toMatch(/re-enter the credentials when the URL changes/);
    }
    expect(rec.seen).toEqual([]);
    // unchanged: the stored target still answers
    expect((await gw.http(`/api/connections/${basicId}`, { key })).body).toMatchObject({ baseUrl: sim.baseUrl, proxyUrl: null });
  });

  it('REST PATCH: the same, while a path change on the same origin and a move with new credentials are allowed', async () => {
    for (const body of [{ baseUrl: rec.baseUrl }, { proxyUrl: rec.origin }]) {
      const res = await gw.http(`/api/connections/${basicId}`, { key, method: 'PATCH', body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, details: { code: 'BAD_USER_INPUT' }, is_remote_error: false });
    }
    expect(rec.seen).toEqual([]);
    // same origin, other path: the credentials stay with the same host
    const samePath = await gw.http(`/api/connections/${basicId}`, { key, method: 'PATCH', body: { baseUrl: `${sim.baseUrl}/` } });
    expect(samePath.status).toBe(200);
    // new host with new credentials: only the new ones reach it
    const moved = await gw.http(`/api/connections/${oauthId}`, { key, method: 'PATCH', body: { baseUrl: rec.baseUrl, auth: { kind: 'basic', username: 'new', password: 'creds' } } });
    expect(moved.status).toBe(200);
    expect(moved.body.status).toBe('failing');
    expect(rec.seen.length).toBeGreaterThan(0);
    expect(new Set(rec.seen.filter((h) => h !== '(none)'))).toEqual(new Set([basic('new', 'creds')]));
    rec.seen.length = 0;
  });

  it('connect page re-link save: refused without auth (the link is not burned); with auth it saves', async () => {
    const issued = await gw.http('/api/link-tokens', { key, body: { connectionId: basicId } });
    const token = issued.body.token as string;
    const refused = await gw.http('/connect/api/save', { body: { token, connection: { baseUrl: rec.baseUrl } } });
    expect(refused.status).toBe(400);
    expect(refused.body.details.code).toBe('BAD_USER_INPUT');
    const viaProxy = await gw.http('/connect/api/save', { body: { token, connection: { proxyUrl: rec.origin } } });
    expect(viaProxy.status).toBe(400);
    expect(rec.seen).toEqual([]);
    expect((await gw.http('/connect/api/session', { body: { token } })).status).toBe(200);
    const saved = await gw.http('/connect/api/save', { body: { token, connection: { baseUrl: rec.baseUrl, auth: { kind: 'basic', username: 'relinked', password: 'pw' } } } });
    expect(saved.status).toBe(201);
    expect(rec.seen.every((h) => h === '(none)' || h === basic('relinked', 'pw'))).toBe(true);
    expect(rec.seen).not.toContain(STORED_BASIC);
    expect(rec.seen).not.toContain(STORED_OAUTH);
  });
});
