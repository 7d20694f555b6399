// The per-connection state (shared, long-lived) and the per-request context (loaders, memo caches).
import type { GatewayConfig } from '../config.ts';
import type { Caller, ConnectionService } from '../connections/service.ts';
import type { IiqClient } from '../iiq/types.ts';
import { CursorCodec } from './cursor.ts';
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
}

export function createGatewayConnection(client: IiqClient, config: GatewayConfig, logger: Logger): GatewayConnection {
  return {
    client,
    config,
    catalog: new RoleCatalog(client, config.roleCacheTtlMs, logger),
    membership: new RoleMembershipIndex(client, config.membershipIndex, logger),
    cursors: new CursorCodec(client.baseUrl),
    limits: { defaultSize: config.pageSize.default, maxSize: config.pageSize.max },
    logger,
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
