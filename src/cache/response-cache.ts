// Whole-result caching for GraphQL queries (Yoga response cache), only where it is safe: per tenant and
// connection (the API key and X-Connection-Id, or the single connection), never for mutations (Yoga's plugin
// caches queries only and drops entities a mutation returns), never for results with errors.
import { createHash } from 'node:crypto';
import { createInMemoryCache, useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import type { Plugin } from 'graphql-yoga';
import type { CacheConfig } from '../config.ts';
import { cacheRequestsTotal } from '../observability/metrics.ts';

/**
 * The cache partition of a request. Linked accounts: a digest of the credentials and the chosen connection, so
 * one tenant's entry can never answer another's request (an API key belongs to one tenant); requests without
 * credentials are not cached. The consistency header (mirror reads) changes answers, so it is part of it.
 */
export function responseCacheSession(request: Request, linked: boolean): string | null {
  const consistency = request.headers.get('x-iiq-consistency') ?? '';
  if (!linked) return `single|${consistency}`;
  const auth = request.headers.get('authorization');
  if (!auth) return null;
  return createHash('sha256').update(`${auth}\u0000${request.headers.get('x-connection-id') ?? ''}\u0000${consistency}`).digest('base64url');
}

/** null when response caching is off (CACHE=off or CACHE_TTL_RESPONSES=0). */
export function responseCache(config: CacheConfig | undefined, linked: boolean): Plugin | null {
  if (!config?.enabled || config.responsesMs <= 0) return null;
  const label = linked ? 'linked' : 'default';
  const inner = createInMemoryCache({ max: 1000 });
  const cache: Cache = {
    get: async (key) => {
      const hit = await inner.get(key);
      cacheRequestsTotal.inc({ connection: label, kind: 'response', result: hit ? 'hit' : 'miss' });
      return hit;
    },
    set: (...args) => inner.set(...args),
    invalidate: (entities) => inner.invalidate(entities),
  };
  return useResponseCache({
    cache,
    ttl: config.responsesMs,
    // a request that cannot be attributed to a tenant is never cached
    enabled: (request) => responseCacheSession(request, linked) !== null,
    session: (request) => responseCacheSession(request, linked),
  });
}
