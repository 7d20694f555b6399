// The SCIM proxy: 1-to-1 forwarding with injected credentials, header hygiene, streaming both ways, bounded
// bodies, and no way out of the SCIM base. An echo server stands in for IdentityIQ where headers matter.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLinkedGateway, startSim, type LinkedGateway, type Sim } from '../connections/harness.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bytes: number;
  complete: boolean;
}

/** An upstream that records every request; `/identityiq/scim/v2/Slow` streams until released. */
async function echoServer() {
  const seen: Seen[] = [];
  let release: () => void = () => {};
  const server: Server = createServer((req, res) => {
    const entry: Seen = { method: req.method!, url: req.url!, headers: req.headers, bytes: 0, complete: false };
    seen.push(entry);
    req.on('data', (c: Buffer) => (entry.bytes += c.length));
    req.on('end', () => {
      entry.complete = true;
      if (req.url!.startsWith('/identityiq/scim/v2/Slow')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first-chunk\n');
        new Promise<void>((r) => (release = r)).then(() => res.end('last-chunk\n'));
        return;
      }
      res.writeHead(req.url!.includes('Conflict') ? 409 : 200, {
        'content-type': 'application/scim+json',
        'set-cookie': 'JSESSIONID=upstream-session',
        'www-authenticate': 'Basic realm="iiq"',
        'x-upstream': 'yes',
        connection: 'keep-alive',
      });
      res.end(JSON.stringify({ method: req.method, url: req.url, bytes: entry.bytes }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    seen, origin, baseUrl: `${origin}/identityiq/scim/v2`, release: () => release(),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** A request with the path exactly as given (fetch would normalise `..`). */
function raw(origin: string, path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}/`, { method, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** PROXY_MAX_BODY_BYTES for this gateway (the default is 1 MiB) */
const MAX_BODY = 512 * 1024;

describe('SCIM proxy', () => {
  let gw: LinkedGateway;
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let sim: Sim;
  let key: string;
  let echoConn: string;
  let simConn: string;

  beforeAll(async () => {
    [echo, sim] = await Promise.all([echoServer(), startSim({ users: 30 })]);
    gw = await startLinkedGateway({ env: { PROXY_MAX_BODY_BYTES: String(MAX_BODY) } });
    ({ key } = await gw.tenant('T'));
    const created = await gw.http('/api/connections', { key, body: { label: 'echo', baseUrl: echo.baseUrl, auth: { kind: 'basic', username: 'svc user', password: 'p@ss:word' } } });
    echoConn = created.body.id;
    const oauth = await gw.http('/api/connections', { key, body: { label: 'sim', baseUrl: sim.baseUrl, auth: { kind: 'oauth2', clientId: 'iiq-graph', clientSecret: 'iiq-graph-secret' } } });
    simConn = oauth.body.id;
    echo.seen.length = 0;
  });
  afterAll(async () => {
    await gw?.close();
    await Promise.all([echo?.close(), sim?.close()]);
  });

  it('forwards method, path, query and body 1-to-1 with the connection credentials, never the caller’s', async () => {
    const res = await fetch(`${gw.origin}/proxy/scim/v2/Users/abc?attributes=userName&filter=${encodeURIComponent('userName eq "a b"')}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${key}`, 'x-connection-id': echoConn, 'content-type': 'application/scim+json', 'x-request-id': 'req-1',
        cookie: 'gateway=session', 'proxy-authorization': 'Basic eA==', te: 'trailers', 'x-custom': 'not forwarded',
      },
      body: JSON.stringify({ userName: 'a b' }),
    });
    expect(res.status).toBe(200);
    const got = echo.seen.at(-1)!;
    expect(got.method).toBe('PUT');
    expect(got.url).toBe(`/identityiq/scim/v2/Users/abc?attributes=userName&filter=${encodeURIComponent('userName eq "a b"')}`);
    expect(got.bytes).toBe(JSON.stringify({ userName: 'a b' }).length);
    expect(got.headers.authorization).toBe(`Basic ${Buffer.from('svc user:p@ss:word').toString('base64')}`);
    expect(got.headers['content-type']).toBe('application/scim+json');
    expect(got.headers['x-request-id']).toBe('req-1');
    for (const h of ['cookie', 'proxy-authorization', 'te', 'x-connection-id', 'x-custom']) expect(got.headers[h], h).toBeUndefined();
    expect(JSON.stringify(got.headers)).not.toContain(key);
    // response: status and body verbatim, upstream cookies / auth challenges / hop-by-hop headers dropped
    expect(res.headers.get('x-upstream')).toBe('yes');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('www-authenticate')).toBeNull();
    const conflict = await fetch(`${gw.origin}/proxy/scim/v2/Conflict`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'x-connection-id': echoConn }, body: '{}' });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({ method: 'POST', url: '/identityiq/scim/v2/Conflict', bytes: 2 });
  });

  it('injects an OAuth2 bearer token, fetched once and reused', async () => {
    const call = () => fetch(`${gw.origin}/proxy/scim/v2/Users?count=2&attributes=userName`, { headers: { authorization: `Bearer ${key}`, 'x-connection-id': simConn } });
    sim.requests.reset();
    expect((await call()).status).toBe(200);
    expect(sim.requests.count({ path: '/oauth2/token' })).toBe(1);
    sim.requests.reset();
    for (let i = 0; i < 3; i++) {
      const res = await call();
      expect(res.status).toBe(200);
      expect(((await res.json()) as { Resources: unknown[] }).Resources).toHaveLength(2);
    }
    expect(sim.requests.count({ path: '/oauth2/token' })).toBe(0);
    expect(sim.requests.count({ path: '/Users', method: 'GET' })).toBe(3);
    // proxy-only use builds no GraphQL state (role catalog, membership index scan) for the connection
    expect(gw.linked.registry.liveIds()).not.toContain(simConn);
  });

  it('streams the response: the first chunk arrives while IdentityIQ is still sending', async () => {
    const res = await fetch(`${gw.origin}/proxy/scim/v2/Slow`, { headers: { authorization: `Bearer ${key}`, 'x-connection-id': echoConn } });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('first-chunk\n');
    echo.release();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toBe('last-chunk\n');
  });

  it('streams request bodies up to the bound and refuses larger ones with 413', async () => {
    const big = 'x'.repeat(MAX_BODY);
    const ok = await fetch(`${gw.origin}/proxy/scim/v2/Bulk`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'x-connection-id': echoConn }, body: big });
    expect(((await ok.json()) as { bytes: number }).bytes).toBe(big.length);

    const before = echo.seen.filter((s) => s.complete).length;
    const tooBig = 'x'.repeat(MAX_BODY + 1);
    const declared = await fetch(`${gw.origin}/proxy/scim/v2/Bulk`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'x-connection-id': echoConn }, body: tooBig });
    expect(declared.status).toBe(413);
    // chunked (no content-length): cut off while streaming
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(64 * 1024)); // 640 KiB, no length declared
        c.close();
      },
    });
    const chunked = await fetch(`${gw.origin}/proxy/scim/v2/Bulk`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'x-connection-id': echoConn }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await chunked.json()) as object).toMatchObject({ statusCode: 413, details: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(echo.seen.filter((s) => s.complete).length).toBe(before);
  });

  it('refuses every way out of the SCIM base with 400, without an upstream request', async () => {
    const before = echo.seen.length;
    const headers = { authorization: `Bearer ${key}`, 'x-connection-id': echoConn };
    const attempts = [
      '/proxy/scim/v2/../../admin/tenants',
      '/proxy/scim/v2/Users/../../../oauth2/token',
      '/proxy/scim/v2/%2e%2e/%2e%2e/debug',
      '/proxy/scim/v2/%2E%2E/x',
      '/proxy/scim/v2/.%2e/x',
      '/proxy/scim/v2/Users%2F..%2F..%2Fx',
      '/proxy/scim/v2/Users%5c..%5cx',
      '/proxy/scim/v2/Users/./x',
      '/proxy/scim/v2//evil.example.com/x',
      '/proxy/scim/v2/http://evil.example.com/x',
      '/proxy/scim/v2/%00',
      // Tomcat strips `;params` from each segment before resolving dot segments
      '/proxy/scim/v2/..;/..;/rest/identities',
      '/proxy/scim/v2/Users/..;x=1/..;/rest/identities',
      '/proxy/scim/v2/.;/Users',
      '/proxy/scim/v2/..%3b/..%3b/rest/identities',
      '/proxy/scim/v2/..%3B/x',
      '/proxy/scim/v2/%2e%2e%3b/x',
      '/proxy/scim/v2/Users;jsessionid=abc',
      '/proxy/scim/v2/Users%3bx',
    ];
    for (const path of attempts) {
      const res = await raw(gw.origin, path, headers);
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body).details.code).toBe('BAD_PATH');
    }
    // an absolute-form request target is no way out either (and shows no stack trace)
    const absolute = await raw(gw.origin, 'http://evil.example.com/proxy/scim/v2/Users', headers);
    expect(absolute.status).toBe(400);
    expect(absolute.body).not.toMatch(/at |node_modules/);
    expect(echo.seen.length).toBe(before);
    // the plain path still works
    expect((await raw(gw.origin, '/proxy/scim/v2/Users', headers)).status).toBe(200);
  });
});

describe('a connection behind an HTTP proxy', () => {
  it('reaches IdentityIQ through the connection’s proxy for GraphQL, the REST face and the SCIM proxy', async () => {
    const { createProxy } = await import('proxy');
    const forward = createProxy(createServer());
    const seen: string[] = [];
    // undici tunnels every request through CONNECT, even to http:// targets
    forward.on('connect', (req: { url?: string }) => seen.push(`CONNECT ${req.url}`));
    await new Promise<void>((r) => forward.listen(0, '127.0.0.1', () => r()));
    const proxyUrl = `http://127.0.0.1:${(forward.address() as AddressInfo).port}`;
    const sim = await startSim({ users: 15 });
    const gw = await startLinkedGateway();
    try {
      const { key } = await gw.tenant('T');
      const created = await gw.http('/api/connections', { key, body: { label: 'via proxy', baseUrl: sim.baseUrl, proxyUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' } } });
      expect(created.body).toMatchObject({ status: 'active', proxyUrl: `${proxyUrl}/` });
      const host = new URL(sim.baseUrl).host;
      const tunnels = () => seen.filter((x) => x === `CONNECT ${host}`).length;
      expect(tunnels()).toBeGreaterThanOrEqual(1); // the check on create
      let before = tunnels();
      expect((await gw.gql(key, '{ users(first: 1) { totalCount } }')).body.data.users.totalCount).toBe(15);
      expect((await gw.http('/unified/user-directory/roles?limit=1', { key })).status).toBe(200);
      expect(tunnels()).toBeGreaterThan(before); // the connection's client
      before = tunnels();
      expect((await gw.http('/proxy/scim/v2/Users?count=1', { key })).status).toBe(200);
      expect(tunnels()).toBeGreaterThan(before); // the SCIM proxy's own pool
      expect(seen.every((x) => x === `CONNECT ${host}`)).toBe(true);
    } finally {
      await gw.close();
      await sim.close();
      forward.closeAllConnections?.();
      await new Promise<void>((r) => forward.close(() => r()));
    }
  });
});

describe('SCIM proxy: OAuth2 token failures', () => {
  const shape = (status: number, code: string) => ({ statusCode: status, error: expect.any(String), message: expect.any(String), details: expect.objectContaining({ code }), is_remote_error: true });

  it('a refused token (wrong client secret) is 502 UPSTREAM_UNAUTHORIZED, an unreachable token endpoint 502 UPSTREAM_UNAVAILABLE', async () => {
    const sim = await startSim({ users: 5 });
    const gw = await startLinkedGateway();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    try {
      const { key } = await gw.tenant('T');
      const wrong = await gw.http('/api/connections', { key, body: { label: 'wrong secret', baseUrl: sim.baseUrl, auth: { kind: 'oauth2', clientId: 'iiq-graph', clientSecret: 'not-the-secret-xyz' } } });
      expect(wrong.status).toBe(201);
      const refused = await gw.http('/proxy/scim/v2/Users?count=1', { key, connectionId: wrong.body.id });
      expect(refused.status).toBe(502);
      expect(refused.body).toEqual(shape(502, 'UPSTREAM_UNAUTHORIZED'));
      expect(JSON.stringify(refused.body)).not.toContain('not-the-secret-xyz');
      expect(sim.requests.count({ path: '/Users' })).toBe(0);

      const dead = await gw.http('/api/connections', { key, body: { label: 'nobody home', baseUrl: `http://127.0.0.1:${deadPort}/identityiq/scim/v2`, auth: { kind: 'oauth2', clientId: 'c', clientSecret: 's' } } });
      expect(dead.status).toBe(201);
      const unreachable = await gw.http('/proxy/scim/v2/Users', { key, connectionId: dead.body.id });
      expect(unreachable.status).toBe(502);
      expect(unreachable.body).toEqual(shape(502, 'UPSTREAM_UNAVAILABLE'));
    } finally {
      await gw.close();
      await sim.close();
    }
  });

  it('a token endpoint that never answers is 504 after the headers timeout; a garbled token body is never echoed', async () => {
    const { ProxyUpstream } = await import('../../src/rest/proxy.ts');
    let mode: 'hang' | 'garbage' = 'hang';
    const hanging = new Set<import('node:http').ServerResponse>();
    const server = createServer((req, res) => {
      req.resume();
      if (mode === 'hang') return void hanging.add(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('here-is-a-secret-token-body {');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const upstream = new ProxyUpstream(
      { baseUrl: `${origin}/identityiq/scim/v2`, secret: { auth: { kind: 'oauth2', clientId: 'c', clientSecret: 's' }, proxyUrl: null }, caBundle: null },
      { tokenTimeoutMs: 300 },
    );
    const call = () => {
      const url = new URL(`${origin}/proxy/scim/v2/Users`);
      return upstream.forward(new Request(url), url, '/Users', 1024);
    };
    try {
      const started = Date.now();
      const timedOut = await call();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(timedOut.status).toBe(504);
      expect(await timedOut.json()).toEqual(shape(504, 'UPSTREAM_UNAVAILABLE'));

      mode = 'garbage';
      const garbled = await call();
      expect(garbled.status).toBe(502);
      const text = await garbled.text();
      expect(JSON.parse(text)).toEqual(shape(502, 'UPSTREAM_INVALID_RESPONSE'));
      expect(text).not.toContain('here-is-a-secret');
    } finally {
      await upstream.close();
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
