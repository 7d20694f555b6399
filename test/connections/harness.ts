// Test harness for linked-accounts mode: a real store (SQLite by default), the gateway on 127.0.0.1 port 0,
// simulators as tenants' IdentityIQs over real HTTP, and helpers that speak to every surface with a key.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulator } from '../../simulator/index.ts';
import type { SimulatorOptions } from '../../simulator/types.ts';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/connections/open-store.ts';
import { Keyring } from '../../src/connections/secrets.ts';
import type { ConnectionStore } from '../../src/connections/types.ts';
import type { LinkedAccounts } from '../../src/tenancy/linked.ts';
import { createLinkedAccounts, type LinkedSetup } from '../../src/tenancy/setup.ts';
import { sqliteDatabase, type TestDatabase } from './databases.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export type Sim = ReturnType<typeof createSimulator> & { baseUrl: string };

export async function startSim(options: SimulatorOptions = {}): Promise<Sim> {
  const sim = createSimulator({ users: 60, seed: 42, profile: 'zero', ...options });
  await sim.listen(0, '127.0.0.1');
  return sim as Sim;
}

/** upstream requests a simulator served (token endpoint included) */
export const upstreamCount = (sim: Sim) => sim.requests.count();

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface LinkedGateway {
  origin: string;
  app: App;
  linked: LinkedAccounts;
  store: ConnectionStore;
  keyring: Keyring;
  db: TestDatabase;
  /** fetch relative to the gateway with an optional bearer key and connection id */
  http<T = any>(path: string, init?: { key?: string | null; connectionId?: string; method?: string; body?: unknown; headers?: Record<string, string> }): Promise<HttpResult<T>>;
  gql(key: string | null, query: string, variables?: Record<string, unknown>, connectionId?: string): Promise<HttpResult>;
  /** a tenant and one API key */
  tenant(name: string): Promise<{ tenantId: string; key: string }>;
  /** a connection of a tenant to a simulator (Basic spadmin/admin) through the REST management API */
  link(key: string, sim: Sim, label?: string): Promise<string>;
  close(): Promise<void>;
}

export interface LinkedGatewayOptions {
  db?: TestDatabase;
  keyring?: Keyring;
  env?: Record<string, string>;
  /** MIRROR=true: a mirror per connection (createLinkedAccounts' `mirror`), started with the gateway */
  mirror?: LinkedSetup['mirror'];
}

export async function startLinkedGateway(options: LinkedGatewayOptions = {}): Promise<LinkedGateway> {
  const db = options.db ?? sqliteDatabase();
  const keyring = options.keyring ?? new Keyring([{ kid: 'k1', key: Buffer.alloc(32, 7) }]);
  const store = await openStore(db.config);
  const config = loadConfig({ LOG_LEVEL: 'silent', CACHE: 'off', IIQ_GRAPH_ADMIN_KEY: ADMIN_KEY, IIQ_GRAPH_SECRET_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    // the simulators listen on loopback, which linked accounts refuse unless allowed (src/connections/url-policy.ts)
    IIQ_GRAPH_ALLOWED_HOSTS: '127.0.0.1', ...options.env });
  // silent, except for the test run's log capture (src/hardening/log-capture.ts)
  const { silentLogger } = await import('../../src/hardening/log-capture.ts');
  const logger = silentLogger();
  const linked = createLinkedAccounts({ store, keyring, adminKey: ADMIN_KEY, config, logger, clientDefaults: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } }, ...(options.mirror ? { mirror: options.mirror } : {}) });
  const app = createApp({ linked, config });
  const server: Server = createServer(app.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await linked.mirrors?.start();

  const http: LinkedGateway['http'] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key) headers.authorization = `Bearer ${init.key}`;
    if (init.connectionId) headers['x-connection-id'] = init.connectionId;
    if (init.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${origin}${path}`, {
      method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
      headers,
      ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    return { status: res.status, body, headers: res.headers };
  };

  const gw: LinkedGateway = {
    origin, app, linked, store, keyring, db, http,
    gql: (key, query, variables, connectionId) =>
      http('/graphql', { key, body: { query, variables }, ...(connectionId ? { connectionId } : {}), headers: { accept: 'application/graphql-response+json, application/json' } }),
    async tenant(name) {
      const t = await http('/admin/tenants', { key: ADMIN_KEY, body: { name } });
      if (t.status !== 201) throw new Error(`tenant: ${t.status} ${JSON.stringify(t.body)}`);
      const k = await http(`/admin/tenants/${t.body.id}/api-keys`, { key: ADMIN_KEY, body: { label: 'test' } });
      if (k.status !== 201) throw new Error(`api key: ${k.status}`);
      return { tenantId: t.body.id as string, key: k.body.key as string };
    },
    async link(key, sim, label = 'IIQ') {
      const res = await http('/api/connections', { key, body: { label, baseUrl: sim.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' } } });
      if (res.status !== 201) throw new Error(`link: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    },
    async close() {
      await app.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // idle keep-alive sockets would hold close() for the keep-alive timeout
      await closed;
      await store.close();
      if (!options.db) await db.drop();
    },
  };
  return gw;
}
