// Whole-result caching for GraphQL queries (Yoga response cache), only where it is safe: per tenant and
// connection (the API key and X-Connection-Id, or the single connection), never for mutations (Yoga's plugin
// caches queries only and drops entities a mutation returns), never for results with errors.
import { createHash } from 'node:crypto';
import { createInMemoryCache, useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { CacheConfig } from '../config.ts';
import { cacheRequestsTotal } from '../observability/metrics.ts';
import { acquireCacheStore, type CacheStore } from './store.ts';

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

/**
 * With REDIS_URL the results live in Redis, shared by every replica, under an epoch that any mutation on any
 * replica moves on (INCR before the mutation's response is sent): a write through replica A is never answered
 * from a result cached before it, by A or by B. A result is stored under the epoch read when its lookup
 * missed, so one computed while a mutation ran is never served. A Redis outage is a miss.
 */
function sharedCache(store: CacheStore, prefix: string, label: string): Cache {
  const epochKey = `${prefix}resp:epoch`;
  const pending = new Map<string, number>();
  const epoch = async () => Number((await store.get<number | string>(epochKey)) ?? 0);
  return {
    get: async (key) => {
      let hit: Awaited<ReturnType<Cache['get']>> = undefined;
      try {
        const e = await epoch();
        pending.set(key, e);
        if (pending.size > 10_000) pending.delete(pending.keys().next().value!);
        hit = (await store.get<NonNullable<typeof hit>>(`${prefix}resp:${e}:${key}`)) ?? undefined;
      } catch {
        hit = undefined;
      }
      cacheRequestsTotal.inc({ connection: label, kind: 'response', result: hit ? 'hit' : 'miss' });
      return hit;
    },
    set: async (key, value, _entities, ttl) => {
      const e = pending.get(key);
      pending.delete(key);
      if (e === undefined || !Number.isFinite(ttl) || ttl <= 0) return;
      await store.set(`${prefix}resp:${e}:${key}`, value, ttl).catch(() => undefined);
    },
    invalidate: async () => {
      await store.incr(epochKey).catch(() => undefined);
    },
  };
}

/** null when response caching is off (CACHE=off or CACHE_TTL_RESPONSES=0). */
export function responseCache(config: CacheConfig | undefined, linked: boolean): Plugin | null {
  if (!config?.enabled || config.responsesMs <= 0) return null;
  const label = linked ? 'linked' : 'default';
  const shared = config.redisUrl ? acquireCacheStore({ redisUrl: config.redisUrl, maxEntries: config.maxEntries }) : null;
  const inner = createInMemoryCache({ max: 1000 });
  const cache: Cache = shared ? sharedCache(shared.store, config.keyPrefix, label) : {
    get: async (key) => {
      const hit = await inner.get(key);
      cacheRequestsTotal.inc({ connection: label, kind: 'response', result: hit ? 'hit' : 'miss' });
      return hit;
    },
    set: (...args) => inner.set(...args),
    invalidate: (entities) => inner.invalidate(entities),
  };
  const plugin: Plugin = useResponseCache({
    cache,
    ttl: config.responsesMs,
    // a request that cannot be attributed to a tenant is never cached
    enabled: (request) => responseCacheSession(request, linked) !== null,
    session: (request) => responseCacheSession(request, linked),
  });
  if (!shared) return plugin;
  // every mutation (whatever its result: an error may follow a partial write) moves the shared epoch on before
  // its response leaves (Yoga's own entity invalidation is neither awaited nor run for results without entities)
  const epochKey = `${config.keyPrefix}resp:epoch`;
  const bumpOnMutation: Plugin = {
    onExecute({ args }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      return { onExecuteDone: async () => void (await shared.store.incr(epochKey).catch(() => undefined)) };
    },
  };
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(plugin);
      addPlugin(bumpOnMutation);
    },
    onDispose: () => shared.release(),
  };
}
