// Isolation and secret hygiene. Cross-tenant attempts on every surface fail without upstream traffic. A run
// through every surface — successes, refused credentials, upstream faults, proxy errors, OAuth2 — is logged at
// trace level through the gateway's logger options; neither the captured logs nor any response body or
// `extensions` contain a known credential (passwords, client secrets, their Basic encodings, API keys, the admin
// key, link tokens, the secret key, bearer tokens).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator } from '../../simulator/index.ts';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/connections/open-store.ts';
import { Keyring } from '../../src/connections/secrets.ts';
import type { ConnectionStore } from '../../src/connections/types.ts';
import { secretSafeLoggerOptions } from '../../src/hardening/redaction.ts';
import { createLinkedAccounts } from '../../src/tenancy/setup.ts';
import { sqliteDatabase, type TestDatabase } from '../connections/databases.ts';
import { suiteCounter } from './summary.ts';

const count = suiteCounter('isolation & secrets');
const ADMIN_KEY = 'hardening-admin-key-5b6c7d8e9f0a1b2c';
const SECRET_KEY_B64 = Buffer.alloc(32, 11).toString('base64');
const BASIC = { username: 'svc-hardening', password: 'S3cr3t-P@ss-9f8e7d' };
const OAUTH = { clientId: 'hardening-client', clientSecret: 'oauth-secret-4c5d6e7f8a9b' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('isolation and secrets', () => {
  const logLines: string[] = [];
  const bodies: string[] = [];
  const secrets = new Set<string>([
    ADMIN_KEY, SECRET_KEY_B64, BASIC.password, OAUTH.clientSecret, b64(`${BASIC.username}:${BASIC.password}`),
    b64(`${encodeURIComponent(OAUTH.clientId)}:${encodeURIComponent(OAUTH.clientSecret)}`), b64(`${BASIC.username}:wrong-password-1a2b3c`), 'wrong-password-1a2b3c',
  ]);
  let simA: ReturnType<typeof createSimulator> & { baseUrl: string };
  let simB: ReturnType<typeof createSimulator> & { baseUrl: string };
  let db: TestDatabase;
  let store: ConnectionStore;
  let app: App;
  let server: Server;
  let origin: string;
  let a: { tenantId: string; key: string; connectionId: string };
  let b: { tenantId: string; key: string; connectionId: string };

  async function http(path: string, init: { key?: string; connectionId?: string; method?: string; body?: unknown; headers?: Record<string, string>; keepSecretBody?: boolean } = {}) {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (init.key) headers.authorization = `Bearer ${init.key}`;
    if (init.connectionId) headers['x-connection-id'] = init.connectionId;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${origin}${path}`, { method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'), headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
    const text = await res.text();
    // responses that hand a new secret to its owner (API key, link token) are the only ones allowed to carry one
    if (!init.keepSecretBody) bodies.push(`${res.status} ${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`);
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body };
  }
  const gql = (key: string, query: string, connectionId?: string) => http('/graphql', { key, body: { query }, ...(connectionId ? { connectionId } : {}) });

  async function tenant(name: string) {
    const t = await http('/admin/tenants', { key: ADMIN_KEY, body: { name } });
    const k = await http(`/admin/tenants/${t.body.id}/api-keys`, { key: ADMIN_KEY, body: { label: 'k' }, keepSecretBody: true });
    secrets.add(k.body.key);
    return { tenantId: t.body.id as string, key: k.body.key as string };
  }

  beforeAll(async () => {
    simA = createSimulator({ users: 60, seed: 1, profile: 'zero', basic: BASIC, oauth: OAUTH }) as typeof simA;
    simB = createSimulator({ users: 60, seed: 2, profile: 'zero', basic: BASIC, oauth: OAUTH }) as typeof simB;
    await simA.listen(0, '127.0.0.1');
    await simB.listen(0, '127.0.0.1');
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: 'trace', ...secretSafeLoggerOptions() }, sink);
    db = sqliteDatabase();
    store = await openStore(db.config);
    const config = loadConfig({ LOG_LEVEL: 'trace', CACHE: 'off', IIQ_GRAPH_ADMIN_KEY: ADMIN_KEY, IIQ_GRAPH_SECRET_KEY: `k1:${SECRET_KEY_B64}`, BREAKER_THRESHOLD: '3', BREAKER_HALF_OPEN_AFTER: '60', IIQ_GRAPH_ALLOWED_HOSTS: '127.0.0.1' });
    const linked = createLinkedAccounts({ store, keyring: Keyring.parse(`k1:${SECRET_KEY_B64}`), adminKey: ADMIN_KEY, config, logger, clientDefaults: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } } });
    app = createApp({ linked, config, logger });
    server = createServer(app.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ta = await tenant('a');
    const tb = await tenant('b');
    const ca = await http('/api/connections', { key: ta.key, body: { label: 'A basic', baseUrl: simA.baseUrl, auth: { kind: 'basic', ...BASIC } } });
    const cb = await http('/api/connections', { key: tb.key, body: { label: 'B oauth', baseUrl: simB.baseUrl, auth: { kind: 'oauth2', ...OAUTH } } });
    expect([ca.status, cb.status]).toEqual([201, 201]);
    a = { ...ta, connectionId: ca.body.id };
    b = { ...tb, connectionId: cb.body.id };
  });

  afterAll(async () => {
    await app.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await store.close();
    await db.drop();
    await simA.close();
    await simB.close();
  });

  it("cross-tenant attempts on every surface: 404 (indistinguishable from unknown), no request reaches B's IIQ", async () => {
    await gql(b.key, '{ users(first: 1) { totalCount } }'); // B's own use warms its client (token fetched)
    simB.requests.reset();
    const attempts = [
      () => gql(a.key, '{ users(first: 1) { totalCount } }', b.connectionId),
      () => http('/unified/user-directory/users', { key: a.key, connectionId: b.connectionId }),
      () => http('/unified/user-directory/roles', { key: a.key, connectionId: b.connectionId }),
      () => http('/proxy/scim/v2/Users', { key: a.key, connectionId: b.connectionId }),
      () => http('/proxy/scim/v2/Users', { key: a.key, connectionId: b.connectionId, method: 'POST', body: { userName: 'x' } }),
      () => http(`/api/connections/${b.connectionId}`, { key: a.key }),
      () => http(`/api/connections/${b.connectionId}`, { key: a.key, method: 'PATCH', body: { label: 'pwned' } }),
      () => http(`/api/connections/${b.connectionId}`, { key: a.key, method: 'DELETE' }),
      () => http(`/api/connections/${b.connectionId}/test`, { key: a.key, method: 'POST', body: {} }),
      () => http(`/api/connections/${b.connectionId}/upstream`, { key: a.key }),
      () => http('/api/link-tokens', { key: a.key, body: { connectionId: b.connectionId } }),
    ];
    for (const attempt of attempts) {
      const r = await attempt();
      expect(r.status, JSON.stringify(r.body).slice(0, 200)).toBe(404);
      count.add('cross-tenant attempts refused');
    }
    expect(simB.requests.count()).toBe(0);
    // B's connection is intact
    expect((await http(`/api/connections/${b.connectionId}`, { key: b.key })).body.label).toBe('B oauth');
  });

  it('a run through every surface, failures included, leaks no credential into logs, bodies or extensions', async () => {
    const link = await http('/api/link-tokens', { key: a.key, body: {}, keepSecretBody: true });
    secrets.add(link.body.token);
    const ops = [
      () => gql(a.key, '{ users(first: 3) { edges { node { userName roles(first: 2) { edges { node { name } } } } } } }'),
      () => gql(b.key, '{ users(first: 3) { totalCount } roles(first: 2) { totalCount } }'),
      () => http('/unified/user-directory/users?limit=2&remote_data=true', { key: a.key }),
      () => http('/proxy/scim/v2/Users?count=1', { key: b.key }),
      () => http('/api/connections', { key: a.key }),
      () => http(`/api/connections/${a.connectionId}`, { key: a.key }),
      () => http('/connect/api/session', { body: { token: link.body.token } }),
      // refused credentials: a connection with a wrong password (check fails with 4xx, never echoes it)
      () => http('/api/connections', { key: a.key, body: { label: 'wrong', baseUrl: simA.baseUrl, auth: { kind: 'basic', username: BASIC.username, password: 'wrong-password-1a2b3c' } } }),
      () => http('/connect/api/check', { body: { token: link.body.token, connection: { label: 'w', baseUrl: simA.baseUrl, auth: { kind: 'basic', username: BASIC.username, password: 'wrong-password-1a2b3c' } } } }),
      // bad API keys and the admin key where it does not belong
      () => gql(`${a.key}x`, '{ users(first: 1) { totalCount } }'),
      () => gql(ADMIN_KEY, '{ users(first: 1) { totalCount } }'),
      () => http('/admin/tenants', { key: a.key }),
    ];
    for (const op of ops) await op();
    // upstream faults: 401 from IIQ (proxy passthrough and client), 5xx until the circuit opens, resets, bad bodies
    for (const [sim, key] of [[simA, a.key], [simB, b.key]] as const) {
      for (const fault of [
        { type: 'status', status: 401, times: 4 }, { type: 'status', status: 500, times: 4 }, { type: 'reset', times: 4 },
        { type: 'invalidJson', times: 4 }, { type: 'badSchema', times: 4 }, { type: 'truncate', times: 4 },
      ] as const) {
        sim.faults.inject({ ...fault });
        await gql(key, '{ users(first: 2) { edges { node { userName } } } }');
        await http('/proxy/scim/v2/Users?count=1', { key });
        await http('/unified/user-directory/roles', { key });
        sim.faults.clear();
      }
      sim.faults.inject({ type: 'status', status: 503, times: 30 });
      for (let i = 0; i < 4; i++) await gql(key, '{ users(first: 1) { totalCount } }'); // opens the circuit
      await http('/proxy/scim/v2/Users', { key });
      sim.faults.clear();
    }
    // OAuth2 token endpoint refusing: the client secret must not show up anywhere
    simB.faults.inject({ type: 'status', status: 401, pathPrefix: '/oauth2/token', times: 5 });
    await http(`/api/connections/${b.connectionId}/test`, { key: b.key, method: 'POST', body: {} });
    simB.faults.clear();

    expect(logLines.length).toBeGreaterThan(20); // the logger really captured the run
    const logs = logLines.join('');
    const everything = `${logs}\n${bodies.join('\n')}`;
    for (const secret of secrets) {
      expect(everything.includes(secret), `a credential (${secret.slice(0, 4)}…) leaked`).toBe(false);
    }
    expect(everything).not.toMatch(/\b(Basic|Bearer) [A-Za-z0-9._~+/=-]{12,}/);
    expect(logs).not.toMatch(/"authorization":"(?!\[redacted\])/i);
    count.add('log lines scanned', logLines.length);
    count.add('response bodies scanned', bodies.length);
    count.add('known credentials checked', secrets.size);
  });

  it('pino redaction and scrubbing: nested credentials, Authorization headers, user:password URLs and error messages', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace', ...secretSafeLoggerOptions() }, new Writable({ write: (c, _e, d) => (lines.push(String(c)), d()) }));
    logger.info({ req: { headers: { authorization: 'Basic c3ZjOnB3', cookie: 'sid=1' } }, target: { secret: { auth: { password: 'p4ss-word-x', clientSecret: 'cs-123456' } } }, apiKey: 'iiqg_abcdefabcdefabcd_xyz' }, 'calling');
    logger.warn('token for https://svc:p4ss-word-x@iiq.example/ was Bearer eyJabc.def.ghi');
    logger.error({ err: new Error('IIQ said Basic c3ZjOnA0c3Mtd29yZC14 is wrong') }, 'failed');
    const out = lines.join('');
    for (const s of ['c3ZjOnB3', 'sid=1', 'p4ss-word-x', 'cs-123456', 'iiqg_abcdefabcdefabcd_xyz', 'eyJabc.def.ghi', 'c3ZjOnA0c3Mtd29yZC14']) expect(out).not.toContain(s);
    count.add('redaction checks', 7);
  });
});
