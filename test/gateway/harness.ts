// Test harness: the simulator (real HTTP, port 0) as IIQ, the real client, and the gateway served over HTTP
// on 127.0.0.1 port 0.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulator } from '../../simulator/index.ts';
import type { SimulatorOptions } from '../../simulator/types.ts';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig, type GatewayConfig } from '../../src/config.ts';
import { createIiqClient } from '../../src/iiq/client.ts';
import type { IiqClient, IiqClientOptions } from '../../src/iiq/types.ts';

export interface GraphQLResponse<D = Record<string, any>> {
  status: number;
  data?: D | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface Gateway {
  sim: ReturnType<typeof createSimulator>;
  client: IiqClient;
  app: App;
  config: GatewayConfig;
  /** gateway origin, e.g. http://127.0.0.1:34567 */
  origin: string;
  gql<D = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<D>>;
  /** upstream requests to the simulator (token endpoint excluded) */
  upstream(path?: RegExp): number;
  close(): Promise<void>;
}

export interface GatewayOptions {
  sim?: SimulatorOptions;
  env?: Record<string, string>;
  client?: Partial<IiqClientOptions>;
  /** call app.ready() (catalog, limits, membership index) — default true */
  ready?: boolean;
  /** wait for the first membership scan — default false */
  waitForIndex?: boolean;
}

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const sim = createSimulator({ users: 120, seed: 42, profile: 'zero', ...options.sim });
  const { baseUrl } = await sim.listen(0, '127.0.0.1');
  const client = createIiqClient({
    baseUrl,
    auth: { kind: 'basic', username: 'spadmin', password: 'admin' },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    ...options.client,
  });
  const config = loadConfig({ LOG_LEVEL: 'silent', ...options.env });
  const app = createApp({ client, config });
  if (options.ready ?? true) await app.ready();
  if (options.waitForIndex) await app.membershipReady();
  const server: Server = createServer(app.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    sim,
    client,
    app,
    config,
    origin,
    async gql(query, variables) {
      const res = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
    upstream: (path = /^\/(Users|Roles)/) => sim.requests.list().filter((r) => path.test(r.path)).length,
    async close() {
      await app.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await client.close();
      await sim.close();
    },
  };
}

/** userName order as IIQ sorts it (case-insensitive). */
export const byUserName = (a: string, b: string) => {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};
