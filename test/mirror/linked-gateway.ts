// Linked accounts with MIRROR=true in process, for the linked mirror tests: the connection store and the mirror on
// one real database (PostgreSQL in a schema of its own, or SQLite files in a temp dir), the gateway on 127.0.0.1
// port 0, tenants whose connections point at simulators over real HTTP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/connections/open-store.ts';
import { Keyring } from '../../src/connections/secrets.ts';
import type { ConnectionStore } from '../../src/connections/types.ts';
import { silentLogger } from '../../src/hardening/log-capture.ts';
import { loadMirrorConfig } from '../../src/mirror/config.ts';
import { openMirrorStore } from '../../src/mirror/open.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import type { LinkedAccounts } from '../../src/tenancy/linked.ts';
import { createLinkedAccounts } from '../../src/tenancy/setup.ts';
import { ADMIN_KEY, type Sim } from '../connections/harness.ts';
import type { TestDatabase } from '../connections/databases.ts';

export interface Tenant {
  key: string;
  tenantId: string;
  connectionId: string;
}

export interface MirroredLinked {
  linked: LinkedAccounts;
  store: ConnectionStore;
  mirrorStore: MirrorStore;
  http(path: string, init?: { key?: string; connectionId?: string; method?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any }>;
  gql(key: string, query: string, extra?: { connectionId?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any }>;
  /** a tenant, its API key and a connection to `sim` (Basic spadmin/admin) */
  tenantWithConnection(name: string, sim: Sim): Promise<Tenant>;
  /** one more connection of a tenant to `sim` */
  connect(key: string, sim: Sim, label: string): Promise<string>;
  close(): Promise<void>;
}

export async function startMirroredLinked(db: TestDatabase, mirrorEnv: Record<string, string> = {}, options: { indexPollMs?: number } = {}): Promise<MirroredLinked> {
  const store = await openStore(db.config);
  const { dataDir, databaseUrl, pgSchema } = db.config as { dataDir: string; databaseUrl?: string; pgSchema?: string };
  const mirrorStore = await openMirrorStore({ dataDir, databaseUrl, pgSchema });
  const config = loadConfig({ LOG_LEVEL: 'silent', CACHE: 'off', IIQ_GRAPH_ADMIN_KEY: ADMIN_KEY, IIQ_GRAPH_SECRET_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`, IIQ_GRAPH_ALLOWED_HOSTS: '127.0.0.1' });
  const mirrorConfig = loadMirrorConfig({ MIRROR: 'true', MIRROR_SYNC_INTERVAL: '1', MIRROR_LEASE_INTERVAL: '0.2', MIRROR_PAGE_SIZE: '25', ...mirrorEnv });
  const linked = createLinkedAccounts({
    store, keyring: new Keyring([{ kid: 'k1', key: Buffer.alloc(32, 7) }]), adminKey: ADMIN_KEY, config, logger: silentLogger(),
    clientDefaults: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } },
    mirror: { store: mirrorStore, config: mirrorConfig, databaseUrl, pgSchema, reconcileMs: 300, indexPollMs: options.indexPollMs ?? 200 },
  });
  const app: App = createApp({ linked, config });
  const server: Server = createServer(app.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await linked.mirrors!.start();

  const http: MirroredLinked['http'] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key) headers.authorization = `Bearer ${init.key}`;
    if (init.connectionId) headers['x-connection-id'] = init.connectionId;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${origin}${path}`, { method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'), headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
  };
  const connect: MirroredLinked['connect'] = async (key, sim, label) => {
    const c = await http('/api/connections', { key, body: { label, baseUrl: sim.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' } } });
    expect(c.status).toBe(201);
    return c.body.id as string;
  };
  return {
    linked, store, mirrorStore, http,
    gql: (key, query, extra = {}) => http('/graphql', { key, body: { query }, ...extra }),
    async tenantWithConnection(name, sim) {
      const t = await http('/admin/tenants', { key: ADMIN_KEY, body: { name } });
      const k = await http(`/admin/tenants/${t.body.id}/api-keys`, { key: ADMIN_KEY, body: { label: 'test' } });
      return { tenantId: t.body.id, key: k.body.key, connectionId: await connect(k.body.key, sim, name) };
    },
    connect,
    async close() {
      await app.close(); // closes the linked accounts: registry, mirrors, lease session, mirror store
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
      await store.close();
    },
  };
}
