// Builds a connection's client stack: the raw IIQ client, instrumented (metrics, spans, request id),
// behind the per-connection read cache when caching is on and the connection has an identity to key on.
import { createHash } from 'node:crypto';
import type { CacheConfig } from '../config.ts';
import type { IiqClient } from '../iiq/types.ts';
import { instrumentClient } from '../observability/client.ts';
import { createConnectionCache, type CacheScope, type ConnectionCache } from './read-cache.ts';
import { acquireCacheStore } from './store.ts';

export interface ConnectionClients {
  /** what the gateway reads through */
  client: IiqClient;
  /** instrumented, never cached (readiness probes) */
  origin: IiqClient;
  cache: ConnectionCache | null;
  /** the metrics label of this connection */
  label: string;
}

/** Single-connection mode: keyed by the upstream, so gateways on different IIQs never share entries in Redis. */
export function singleConnectionScope(baseUrl: string): CacheScope {
  return { tenantId: `single-${createHash('sha256').update(baseUrl).digest('base64url').slice(0, 16)}`, connectionId: 'default' };
}

/** Without a scope (tenant + connection) nothing is cached: an entry must never be visible to another tenant. */
export function connectionClients(raw: IiqClient, cacheConfig: CacheConfig | undefined, scope: CacheScope | undefined): ConnectionClients {
  const label = scope?.connectionId ?? 'unscoped';
  const origin = instrumentClient(raw, label);
  if (!scope || !cacheConfig?.enabled) return { client: origin, origin, cache: null, label };
  const { store, release } = acquireCacheStore({ redisUrl: cacheConfig.redisUrl, maxEntries: cacheConfig.maxEntries });
  const cache = createConnectionCache(origin, store, scope, cacheConfig.ttls, { keyPrefix: cacheConfig.keyPrefix, release });
  return { client: cache.client, origin, cache, label };
}
