// The per-connection state (shared, long-lived) and the per-request context (loaders, memo caches).
import { connectionClients } from '../cache/setup.ts';
import type { CacheScope, ConnectionCache } from '../cache/read-cache.ts';
import type { GatewayConfig } from '../config.ts';
import type { Caller, ConnectionService } from '../connections/service.ts';
import type { UpstreamGuard } from '../hardening/upstream-guard.ts';
import type { IiqClient } from '../iiq/types.ts';
import { watchMembershipIndex } from '../observability/metrics.ts';
import { detachedFromRequest } from '../observability/scope.ts';
import { CursorCodec, cursorKey, stableJson } from './cursor.ts';
import { RequestLoaders } from './loaders.ts';
import type { Logger } from './logger.ts';
import { RoleMembershipIndex } from './membership-index.ts';
import type { PageLimits } from './paging.ts';
import { RoleCatalog } from './role-catalog.ts';
import type { SelectionCache } from './selection.ts';

/** Everything that belongs to one IIQ connection and outlives requests. */
export interface GatewayConnection {
  readonly client: IiqClient;
  readonly config: GatewayConfig;
  readonly catalog: RoleCatalog;
  readonly membership: RoleMembershipIndex;
  readonly cursors: CursorCodec;
  /** maxSize is lowered to the server's maxResults once known */
  readonly limits: PageLimits;
  readonly logger: Logger;
  /** the read cache of this connection (null: caching off or no tenant/connection scope); writes call invalidateUser */
  readonly cache: ConnectionCache | null;
  /** the instrumented client without the read cache (readiness probes) */
  readonly origin: IiqClient;
  /** the connection's upstream guard (concurrency limit + circuit breaker) the client runs behind; Query.upstreamStatus */
  readonly upstream?: { readonly connectionId: string | null; readonly guard: UpstreamGuard };
}

/**
 * @param scope tenant and connection the state belongs to: labels metrics and keys the read cache (without
 * one nothing is cached, so no entry can ever be seen by another tenant)
 */
export function createGatewayConnection(raw: IiqClient, config: GatewayConfig, logger: Logger, scope?: CacheScope, upstream?: GatewayConnection['upstream']): GatewayConnection {
  const { client, origin, cache, label } = connectionClients(raw, config.cache, scope);
  const membership = new RoleMembershipIndex(client, config.membershipIndex, logger);
  // the first request of a linked connection starts the scan: its refreshes must not inherit that request
  const start = membership.start.bind(membership);
  membership.start = () => detachedFromRequest(start);
  watchMembershipIndex(label, membership);
  return {
    client,
    config,
    catalog: new RoleCatalog(client, config.roleCacheTtlMs, logger),
    membership,
    // keyed by a secret and the connection's identity, never by its public base URL alone
    cursors: new CursorCodec(cursorKey(stableJson([scope?.tenantId ?? null, scope?.connectionId ?? null, raw.baseUrl]), config.secretKey ?? config.linked?.secretKey)),
    limits: { defaultSize: config.pageSize.default, maxSize: config.pageSize.max },
    logger,
    cache,
    origin,
    ...(upstream ? { upstream } : {}),
  };
}

export interface GatewayContext {
  readonly conn: GatewayConnection;
  readonly loaders: RequestLoaders;
  /** per-request memo of selection analysis (pushdown) */
  readonly demandCache: SelectionCache;
  readonly signal?: AbortSignal;
  /** linked-accounts mode only: the calling tenant and the connection management service */
  readonly linked?: { readonly caller: Caller; readonly service: ConnectionService };
}

export function createRequestContext(conn: GatewayConnection, signal?: AbortSignal): GatewayContext {
  return {
    conn,
    loaders: new RequestLoaders(conn.client, signal, (id) => conn.membership.userNameOf(id)),
    demandCache: new WeakMap(),
    ...(signal ? { signal } : {}),
  };
}
