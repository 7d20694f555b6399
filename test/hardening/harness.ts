// Single-connection gateway for the hardening suites: the simulator over real HTTP, the real client on an
// observable undici Pool (pool stats prove sockets go back to idle), the SCIM proxy, and an optional pino logger.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger as PinoLogger } from 'pino';
import { Pool } from 'undici';
import { createSimulator } from '../../simulator/index.ts';
import type { SimulatorOptions } from '../../simulator/types.ts';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createIiqClient } from '../../src/iiq/client.ts';
import type { IiqClientOptions } from '../../src/iiq/types.ts';
import { ProxyUpstream } from '../../src/rest/proxy.ts';

export const BASIC = { username: 'spadmin', password: 'admin' } as const;

export interface HardenedGateway {
  sim: ReturnType<typeof createSimulator>;
  app: App;
  pool: Pool;
  origin: string;
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: any; ms: number }>;
  http(path: string, init?: RequestInit): Promise<{ status: number; text: string; headers: Headers; ms: number }>;
  /** the client's pool has nothing running, pending or queued */
  poolIdle(): boolean;
  close(): Promise<void>;
}

export async function startHardenedGateway(options: { sim?: SimulatorOptions; env?: Record<string, string>; client?: Partial<IiqClientOptions>; logger?: PinoLogger; waitForIndex?: boolean } = {}): Promise<HardenedGateway> {
  const sim = createSimulator({ users: 120, seed: 42, profile: 'zero', ...options.sim });
  const { baseUrl, url } = await sim.listen(0, '127.0.0.1');
  const pool = new Pool(new URL(url).origin, { connections: 8, keepAliveTimeout: 10_000 });
  const client = createIiqClient({
    baseUrl,
    auth: { kind: 'basic', ...BASIC },
    dispatcher: pool,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 10, maxRetryAfterMs: 200, budgetMs: 3_000 },
    timeouts: { headersMs: 300, bodyMs: 300 },
    ...(options.logger ? { logger: options.logger.child({ component: 'iiq-client' }) } : {}),
    ...options.client,
  });
  const proxy = new ProxyUpstream({ baseUrl, secret: { auth: { kind: 'basic', ...BASIC }, proxyUrl: null }, caBundle: null });
  const config = loadConfig({ LOG_LEVEL: 'silent', CACHE: 'off', RATE_LIMIT_PER_MINUTE: '100000', CONNECTION_RATE_LIMIT_PER_MINUTE: '100000', ...options.env });
  const app = createApp({ client, config, proxy, ...(options.logger ? { logger: options.logger } : {}) });
  await app.ready();
  if (options.waitForIndex) await app.membershipReady();
  const server: Server = createServer(app.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    sim,
    app,
    pool,
    origin,
    async gql(query, variables, headers = {}) {
      const started = Date.now();
      const res = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      let body: any = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, body, ms: Date.now() - started };
    },
    async http(path, init = {}) {
      const started = Date.now();
      const res = await fetch(`${origin}${path}`, init);
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        text = `[body failed: ${(err as Error).message}]`;
      }
      return { status: res.status, text, headers: res.headers, ms: Date.now() - started };
    },
    poolIdle: () => pool.stats.running === 0 && pool.stats.pending === 0 && pool.stats.queued === 0,
    async close() {
      await app.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await client.close();
      await proxy.close();
      await pool.close().catch(() => undefined);
      await sim.close();
    },
  };
}
