// Supergraph harness: the simulator as IIQ, iiq-graph over HTTP (the gateway tests' harness), the example
// app-permissions subgraph over HTTP, both composed into a supergraph that a real Hive Gateway serves over HTTP.
// Everything on 127.0.0.1, port 0. The gateway records every subgraph request it sends.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import { createAppPermissionsService } from '../../examples/app-permissions/app.ts';
import { printAppPermissionsSdl } from '../../examples/app-permissions/schema.ts';
import { AppStore } from '../../examples/app-permissions/store.ts';
import { composeSupergraph } from '../../scripts/compose.ts';
import { printSchemaSdl } from '../../src/graphql/schema.ts';
import { startGateway, type Gateway, type GatewayOptions, type GraphQLResponse } from '../gateway/harness.ts';

/** One request the router sent to a subgraph. */
export interface SubgraphCall {
  subgraph: 'iiq-graph' | 'app-permissions';
  query: string;
  variables: Record<string, any> | undefined;
  headers: Headers;
}

export interface Supergraph {
  /** iiq-graph with its simulator (sim, upstream counts) */
  iiq: Gateway;
  store: AppStore;
  supergraphSdl: string;
  /** router origin */
  origin: string;
  /** subgraph requests since the last reset */
  calls: SubgraphCall[];
  gql<D = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<D>>;
  /** GET /Users* requests the simulator served since its last reset */
  userRequests(): number;
  reset(): void;
  close(): Promise<void>;
}

export interface SupergraphOptions {
  iiq?: GatewayOptions;
}

/** Headers the router forwards to iiq-graph (the API key and the linked connection); nothing else. */
export const FORWARDED_TO_IIQ_GRAPH = ['authorization', 'x-connection-id'] as const;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stop(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
}

export async function startSupergraph(options: SupergraphOptions = {}): Promise<Supergraph> {
  // the membership index scans /Users in the background: wait for it so that request counts are the queries'
  const iiq = await startGateway({ sim: { users: 300 }, waitForIndex: true, ...options.iiq });
  const roleName = new Map(iiq.sim.data.roles.map((r) => [r.id, r.name]));
  const store = AppStore.fromRoles(
    iiq.sim.data.users.map((u) => ({ userName: u.userName, roleNames: u.roles.map((a) => roleName.get(a.roleId) ?? '') })),
  );
  const example = await listen(createAppPermissionsService(store));

  const supergraphSdl = composeSupergraph([
    { name: 'iiq-graph', url: `${iiq.origin}/graphql`, sdl: printSchemaSdl() },
    { name: 'app-permissions', url: `${example.origin}/graphql`, sdl: printAppPermissionsSdl() },
  ]);

  const calls: SubgraphCall[] = [];
  const recorder: GatewayPlugin = {
    onFetch({ url, options }) {
      const subgraph = url.startsWith(iiq.origin) ? 'iiq-graph' : url.startsWith(example.origin) ? 'app-permissions' : null;
      if (!subgraph) return;
      const body = JSON.parse(String(options.body ?? '{}')) as { query?: string; variables?: Record<string, any> };
      calls.push({ subgraph, query: body.query ?? '', variables: body.variables, headers: new Headers(options.headers as HeadersInit) });
    },
  };

  const gateway = createGatewayRuntime({
    supergraph: supergraphSdl,
    transports: { http: httpTransport },
    // identical in-flight subgraph requests are merged by default; off, so that counts are what was asked
    transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
    propagateHeaders: {
      fromClientToSubgraphs: ({ request, subgraphName }) =>
        subgraphName === 'iiq-graph' ? Object.fromEntries(FORWARDED_TO_IIQ_GRAPH.map((h) => [h, request.headers.get(h)])) : {},
    },
    plugins: () => [recorder],
    logging: false,
  });
  const router = await listen(gateway);

  return {
    iiq,
    store,
    supergraphSdl,
    origin: router.origin,
    calls,
    async gql(query, variables, headers = {}) {
      const res = await fetch(`${router.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
    userRequests: () => iiq.sim.requests.count({ method: 'GET', path: /^\/Users/ }),
    reset() {
      calls.length = 0;
      iiq.sim.requests.reset();
    },
    async close() {
      await stop(router.server);
      await gateway.dispose();
      await stop(example.server);
      await iiq.close();
    },
  };
}
