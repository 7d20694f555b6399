// The supergraph in front of iiq-graph in linked-accounts mode: the router forwards the caller's
// `Authorization: Bearer <API key>` and `X-Connection-Id`, and iiq-graph answers from the IIQ that connection
// names. Two simulators with different seeds stand for two IIQ installs of one tenant.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppPermissionsService } from '../../examples/app-permissions/app.ts';
import { printAppPermissionsSdl } from '../../examples/app-permissions/schema.ts';
import { AppStore } from '../../examples/app-permissions/store.ts';
import { composeSupergraph } from '../../scripts/compose.ts';
import { createSimulator } from '../../simulator/index.ts';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/connections/open-store.ts';
import { Keyring } from '../../src/connections/secrets.ts';
import type { ConnectionStore } from '../../src/connections/types.ts';
import { printSchemaSdl } from '../../src/graphql/schema.ts';
import { silentLogger } from '../../src/graphql/logger.ts';
import { createLinkedAccounts } from '../../src/tenancy/setup.ts';
import { byUserName } from '../gateway/harness.ts';
import { FORWARDED_TO_IIQ_GRAPH } from './harness.ts';

const sims = [createSimulator({ users: 80, seed: 42, profile: 'zero' }), createSimulator({ users: 80, seed: 7, profile: 'zero' })];
const servers: Server[] = [];
let dataDir: string;
let store: ConnectionStore;
let app: App;
let gatewayDispose: () => Promise<void>;
let routerOrigin: string;
let apiKey: string;
const connectionIds: string[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const baseUrls = await Promise.all(sims.map(async (s) => (await s.listen(0, '127.0.0.1')).baseUrl));
  dataDir = mkdtempSync(join(tmpdir(), 'iiq-graph-federation-'));
  store = await openStore({ dataDir });
  const config = loadConfig({ LOG_LEVEL: 'silent', CACHE: 'off', IIQ_GRAPH_ALLOWED_HOSTS: '127.0.0.1' }); // simulators on loopback
  const linked = createLinkedAccounts({
    store,
    keyring: Keyring.parse(`k1:${randomBytes(32).toString('base64')}`),
    adminKey: randomBytes(24).toString('base64url'),
    config,
    logger: silentLogger(),
    clientDefaults: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } },
  });
  const tenant = await linked.service.createTenant('acme');
  apiKey = (await linked.service.createApiKey(tenant.id, 'router')).key;
  const caller = { tenantId: tenant.id, actor: 'admin' };
  for (const [n, baseUrl] of baseUrls.entries()) {
    const view = await linked.service.create(caller, { label: `iiq-${n}`, baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' } });
    connectionIds.push(view.id);
  }
  app = createApp({ linked, config });
  const iiqOrigin = await listen(app.handle);

  const roleName = new Map(sims[0]!.data.roles.map((r) => [r.id, r.name]));
  const appStore = AppStore.fromRoles(sims[0]!.data.users.map((u) => ({ userName: u.userName, roleNames: u.roles.map((a) => roleName.get(a.roleId) ?? '') })));
  const exampleOrigin = await listen(createAppPermissionsService(appStore));

  const gateway = createGatewayRuntime({
    supergraph: composeSupergraph([
      { name: 'iiq-graph', url: `${iiqOrigin}/graphql`, sdl: printSchemaSdl() },
      { name: 'app-permissions', url: `${exampleOrigin}/graphql`, sdl: printAppPermissionsSdl() },
    ]),
    transports: { http: httpTransport },
    propagateHeaders: {
      fromClientToSubgraphs: ({ request, subgraphName }) =>
        subgraphName === 'iiq-graph' ? Object.fromEntries(FORWARDED_TO_IIQ_GRAPH.map((h) => [h, request.headers.get(h)])) : {},
    },
    logging: false,
  });
  gatewayDispose = async () => {
    await gateway.dispose();
  };
  routerOrigin = await listen(gateway);
});

afterAll(async () => {
  for (const s of servers.reverse()) {
    await new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
  }
  await gatewayDispose?.();
  await app?.close();
  await store?.close();
  await Promise.all(sims.map((s) => s.close()));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function gql(query: string, headers: Record<string, string>) {
  const res = await fetch(`${routerOrigin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] };
}

const QUERY = '{ users(first: 3) { edges { node { userName displayName appPermissions { name } } } } }';
const firstUserNames = (n: number) => sims[n]!.data.users.map((u) => u.userName).sort(byUserName).slice(0, 3);

describe('supergraph over iiq-graph in linked-accounts mode', () => {
  it('answers from the IIQ that the forwarded X-Connection-Id names, authenticated by the forwarded API key', async () => {
    for (const n of [0, 1]) {
      const res = await gql(QUERY, { authorization: `Bearer ${apiKey}`, 'x-connection-id': connectionIds[n]! });
      expect(res.errors).toBeUndefined();
      const nodes = res.data.users.edges.map((e: any) => e.node);
      expect(nodes.map((u: any) => u.userName)).toEqual(firstUserNames(n));
      for (const u of nodes) expect(u.displayName).toBe(sims[n]!.data.userByName(u.userName)!.displayName);
    }
    expect(firstUserNames(0)).not.toEqual(firstUserNames(1)); // the two installs differ, so the header mattered
  });

  it('without the API key the router returns iiq-graph’s UNAUTHENTICATED error and no IIQ is called', async () => {
    for (const s of sims) s.requests.reset();
    const res = await gql(QUERY, { 'x-connection-id': connectionIds[0]! });
    expect(res.data?.users ?? null).toBeNull();
    expect(res.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')).toBe(true);
    expect(sims[0]!.requests.count() + sims[1]!.requests.count()).toBe(0);
  });
});
