// createApp(deps): the GraphQL gateway as a fetch handler and a Node listener. No side effects on import;
// server.ts is the only file that reads the environment and listens.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { createYoga, maskError as yogaMaskError, type Plugin } from 'graphql-yoga';
import type { Logger as PinoLogger } from 'pino';
import type { GatewayConfig } from './config.ts';
import { IiqError } from './iiq/errors.ts';
import type { IiqClient } from './iiq/types.ts';
import { createGatewayConnection, createRequestContext, type GatewayConnection } from './graphql/context.ts';
import { fromIiqError } from './graphql/errors.ts';
import { loadGraphqlJit, useCompiledExecution } from './graphql/jit.ts';
import { silentLogger, type Logger } from './graphql/logger.ts';
import { schema } from './graphql/schema.ts';
import type { ProxyUpstream } from './rest/proxy.ts';
import { restRoutes } from './rest/routes.ts';
import { responseCache } from './cache/response-cache.ts';
import { singleConnectionScope } from './cache/setup.ts';
import { acquireCacheStore } from './cache/store.ts';
import { createReadiness, type ReadinessCheck } from './observability/health.ts';
import { watchMembershipIndex, watchUpstreamGuard } from './observability/metrics.ts';
import { useObservability } from './observability/plugin.ts';
import { createHardening } from './hardening/gateway.ts';
import type { LinkedAccounts } from './tenancy/linked.ts';
import { bindIdempotencyStore, LazyIdempotencyStore } from './connections/idempotency.ts';
import { openIdempotencyStore } from './connections/open-store.ts';
import { useMirrorConsistency, withConsistency } from './mirror/consistency.ts';
import { mirrorRoutes } from './mirror/rest.ts';
import { attachMirror, type ConnectionMirror } from './mirror/service.ts';

export interface AppDeps {
  /** single-connection mode: the one IIQ client (omit in linked-accounts mode) */
  client?: IiqClient;
  /** linked-accounts mode: tenants' connections, chosen per request by API key and X-Connection-Id */
  linked?: LinkedAccounts;
  /** single-connection mode: upstream of the SCIM proxy (/proxy/scim/v2) */
  proxy?: ProxyUpstream;
  config: GatewayConfig;
  logger?: PinoLogger;
  /**
   * 'jit' (default): documents compiled once by graphql-jit where it is installed and can compile them,
   * graphql-js otherwise; 'standard': graphql-js only
   */
  executor?: 'jit' | 'standard';
  /** single-connection mode: the directory mirror (membership index, `X-IIQ-Consistency: mirror` reads, change feed) */
  mirror?: ConnectionMirror;
}

export interface App {
  fetch: (req: Request) => Promise<Response> | Response;
  /** Node request listener */
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** page limits read from IIQ, role catalog loaded, membership index started (scan runs in background) */
  ready(): Promise<void>;
  /** stops timers and the membership scan */
  close(): Promise<void>;
  /** resolves when the first membership index scan has completed (tests, readiness probes) */
  membershipReady(): Promise<void>;
  /** per-connection state (role catalog, membership index, limits) — for diagnostics and tests */
  readonly connection: GatewayConnection;
}

/** The query GraphiQL opens with: users -> roles -> members. */
export const EXAMPLE_QUERY = `# iiq-graph: IdentityIQ identities and roles as a graph.
# Users, the roles they hold, and who else holds those roles.
query UsersRolesMembers {
  users(first: 5) {
    totalCount
    edges {
      node {
        userName
        displayName
        department
        manager { userName }
        roles(first: 3) {
          totalCount
          edges {
            acquired
            node {
              name
              type { name }
              members(first: 3) {
                totalCount
                indexedAt
                edges { node { userName } }
              }
            }
          }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

function healthz(): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/healthz') {
        endResponse(new fetchAPI.Response(JSON.stringify({ status: 'ok' }), { status: 200, headers: { 'content-type': 'application/json' } }));
      }
    },
  };
}

export function createApp(deps: AppDeps): App {
  const { client, config, linked } = deps;
  const logger: Logger = deps.logger ?? silentLogger();
  if (!client === !linked) throw new TypeError('createApp needs either a client (single connection) or linked accounts');
  // linked-accounts mode keeps one such state per connection in its registry (tenancy/registry.ts)
  // request limits, rate limits, and (single connection) the upstream concurrency limit + circuit breaker
  const hardening = createHardening({ config, linked, logger });
  if (client) watchUpstreamGuard('default', hardening.guard);
  const liveConnection = client ? createGatewayConnection(hardening.guardClient(client), config, logger, singleConnectionScope(client.baseUrl), { connectionId: null, guard: hardening.guard }) : null;
  // with a mirror, role members come from its persistent index instead of the in-memory scan
  const connection = liveConnection && deps.mirror ? { ...liveConnection, membership: deps.mirror.index } : liveConnection;
  if (connection && deps.mirror) attachMirror(connection, deps.mirror);
  // the index gauges in /metrics describe the index that serves members
  if (connection && deps.mirror) watchMembershipIndex('default', deps.mirror.index);
  // idempotency records of writes (createUser keys) in the store under DATA_DIR / DATABASE_URL, as in linked
  // accounts, so a replay after a restart is still answered without a second POST; opened on the first keyed write
  const store = config.store;
  const idempotency = connection && store ? new LazyIdempotencyStore(() => openIdempotencyStore(store)) : null;
  if (connection && idempotency) bindIdempotencyStore(connection.origin, idempotency);
  // what the mirror learns changed in IIQ leaves the read cache at once, not when its TTL runs out
  if (connection?.cache && deps.mirror) {
    const cache = connection.cache;
    deps.mirror.sync.onChanges((events) => {
      const users = new Set<string>();
      for (const e of events) {
        if (e.type.startsWith('user.')) users.add(e.objectId);
        else if (e.type.startsWith('membership.')) users.add(e.objectId.split('/', 1)[0]!);
      }
      // a large batch (a full sync) drops the connection's users at once rather than one by one
      if (users.size > 50) void cache.invalidateAll();
      else for (const id of users) void cache.invalidateUser(id);
    });
  }

  const maskError = (error: unknown, message: string): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof IiqError) {
      const mapped = fromIiqError(original, error instanceof GraphQLError ? error : undefined);
      if (mapped) {
        // a caller that went away is not the gateway's nor IIQ's fault
        const level = original.kind === 'aborted' ? 'debug' : 'warn';
        logger[level]({ kind: original.kind, operation: original.operation, status: original.status }, original.message);
        return mapped;
      }
    }
    const masked = yogaMaskError(error, message, false);
    if (masked !== error) logger.error({ err: original ?? error }, 'unexpected error (masked)');
    return masked;
  };

  // /readyz: the store (linked accounts) or the connection (single) answers, and Redis when it holds the cache
  const checks: Record<string, ReadinessCheck> = {};
  if (connection) checks.upstream = async () => void (await connection.origin.countUsers());
  if (linked) checks.store = async () => void (await linked.service.store.findApiKey('readyz-probe'));
  const redis = config.cache?.enabled && config.cache.redisUrl ? acquireCacheStore({ redisUrl: config.cache.redisUrl, maxEntries: config.cache.maxEntries }) : null;
  if (redis) checks.cache = () => redis.store.ping();
  // the mirror's database answers and, with several replicas, this replica's lease session is healthy; reports
  // whether this replica owns the background work (the others serve reads). Reported, not required: live reads
  // do not need the mirror.
  const mirror = deps.mirror;
  if (mirror) {
    checks.mirror = async () => {
      await mirror.store.getState(mirror.connectionId);
      const lease = mirror.lease?.status();
      if (lease?.error) throw new Error(`lease: ${lease.error}`);
      return lease ? { leaseOwner: lease.owner, leaseToken: lease.token } : {};
    };
  }
  // a cache outage degrades (misses) but does not stop the gateway: reported, not required
  const observability = useObservability({
    logger,
    readiness: createReadiness(checks, { optional: ['cache', 'mirror'] }),
    // linked accounts may listen beyond loopback: metrics name connections, so only the operator reads them
    ...(linked ? { authorizeMetrics: (request: Request) => linked.authenticate(request).then((p) => p.kind === 'admin', () => false) } : {}),
  });
  const cachedResponses = responseCache(config.cache, Boolean(linked));

  const jit = deps.executor === 'standard' ? null : loadGraphqlJit();
  const yoga = createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL from our own bundle: Yoga's default loads from a CDN and is blank offline
    graphiql: config.graphiql ? { title: 'iiq-graph', defaultQuery: EXAMPLE_QUERY } : false,
    renderGraphiQL,
    maskedErrors: { maskError },
    logging: false,
    // request.signal aborts when the caller goes away: the IIQ requests made for it are aborted too
    context: async ({ request }) => withConsistency(linked ? await linked.graphqlContext(request) : createRequestContext(connection!, request.signal), request),
    // a 100-user page is ~5k field resolutions: compiled execution keeps the gateway's own cost per query low
    batching: hardening.batching,
    // compiled execution BEFORE the response cache: the cache wraps the executor it is handed (a plugin after it
    // calling setExecuteFn would replace the cache's lookup, and every query would run)
    plugins: [observability, healthz(), ...hardening.plugins, ...(deps.executor === 'standard' ? [] : [useCompiledExecution(schema, logger)]), ...(cachedResponses ? [cachedResponses] : []), useMirrorConsistency(), mirrorRoutes({ single: connection ?? undefined, linked, logger }), restRoutes({ linked, single: connection ? { conn: connection, proxy: deps.proxy ? hardening.guardProxy(deps.proxy) : undefined } : undefined, logger, proxyMaxBodyBytes: config.proxyMaxBodyBytes, frameAncestors: config.frameAncestors, cache: config.cache })],
  });

  let readying: Promise<void> | null = null;
  let closed = false;

  return {
    fetch: (req) => yoga.fetch(req),
    handle: (req, res) => {
      // an absolute-form target (`GET http://host/...`) makes the adapter fail with a stack trace in the body
      if (!req.url?.startsWith('/')) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('request target must be a path\n');
        return;
      }
      void yoga(req, res);
    },
    get connection() {
      if (!connection) throw new Error('linked-accounts mode has no single connection');
      return connection;
    },
    ready() {
      readying ??= (async () => {
        if (!connection) return; // linked accounts: each connection gets ready on first use
        try {
          // never page above the server's maximum (scimSearchMaxResults, reference §4.1)
          const spc = await connection.client.serviceProviderConfig();
          if (spc.maxResults > 0 && spc.maxResults < connection.limits.maxSize) {
            connection.limits.maxSize = spc.maxResults;
            connection.limits.defaultSize = Math.min(connection.limits.defaultSize, spc.maxResults);
          }
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'could not read IIQ ServiceProviderConfig; keeping configured page limits');
        }
        try {
          // the default User attributes (/Schemas, read once per client): no first query pays for discovery
          await connection.client.userSchemaAttributes?.();
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'could not read the IIQ User schemas at start; they are read on first use');
        }
        try {
          await connection.catalog.get();
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'role catalog not loaded at start; it loads on first use');
        }
        if (!closed) connection.membership.start();
      })();
      return readying;
    },
    membershipReady: () => (connection ? connection.membership.whenReady() : Promise.resolve()),
    async close() {
      closed = true;
      await connection?.membership.stop();
      connection?.cache?.release();
      redis?.release();
      await linked?.close();
      await idempotency?.close();
      await hardening.close();
      await yoga.dispose();
    },
  };
}
