// Whole-result caching for GraphQL queries (Yoga response cache), only where it is safe: per tenant and
// connection (the API key and X-Connection-Id, or the single connection), never for mutations (Yoga's plugin
// caches queries only and drops entities a mutation returns), never for results with errors.
import { createHash } from 'node:crypto';
import { hashSHA256, useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { CacheConfig } from '../config.ts';
import type { GatewayContext } from '../graphql/context.ts';
import { stableJson } from '../graphql/cursor.ts';
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

/** What a stored result carries: the connection generation it was computed under, and where to read it. */
interface StoredResult {
  /** the connection's write generation read before execution */
  g: number;
  /** its store key (ConnectionCache.generationKey) */
  k: string;
  r: NonNullable<Awaited<ReturnType<Cache['get']>>>;
}

/**
 * Results live in the cache store (Redis with REDIS_URL, shared by every replica; else the process's LRU) and
 * are served only while two counters are unchanged: the connection's write generation (moved on by every write
 * to that connection on any surface and any replica: GraphQL mutations, the SCIM proxy, mirror changes; see
 * read-cache.ts) and a global epoch every mutation moves on (writes that are not IIQ's, e.g. connection
 * management). The generation is read before execution, so a result computed while a write ran is never
 * served after it. A store outage is a miss.
 */
function storeCache(store: CacheStore, prefix: string, label: string, pending: Map<string, { g: number; k: string } | null>): Cache {
  const epochKey = `${prefix}resp:epoch`;
  const epoch = async () => Number((await store.get<number | string>(epochKey)) ?? 0);
  const storeKey = async (key: string) => `${prefix}resp:${await epoch()}:${key}`;
  return {
    get: async (key) => {
      let hit: StoredResult['r'] | undefined;
      try {
        const entry = await store.get<StoredResult>(await storeKey(key));
        if (entry && Number((await store.get<number | string>(entry.k)) ?? 0) === entry.g) hit = entry.r;
      } catch {
        hit = undefined;
      }
      cacheRequestsTotal.inc({ connection: label, kind: 'response', result: hit ? 'hit' : 'miss' });
      return hit;
    },
    set: async (key, value, _entities, ttl) => {
      const gen = pending.get(key);
      pending.delete(key);
      // no generation read for it (no connection, store down, or a mutation ran meanwhile): not kept
      if (!gen || !Number.isFinite(ttl) || ttl <= 0) return;
      try {
        await store.set<StoredResult>(await storeKey(key), { g: gen.g, k: gen.k, r: value as StoredResult['r'] }, ttl);
      } catch {
        // a miss next time
      }
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
  const shared = acquireCacheStore({ redisUrl: config.redisUrl, maxEntries: config.maxEntries });
  const pending = new Map<string, { g: number; k: string } | null>();
  const keyOf = new WeakMap<object, string>();
  const plugin: Plugin = useResponseCache({
    cache: storeCache(shared.store, config.keyPrefix, label, pending),
    ttl: config.responsesMs,
    // a request that cannot be attributed to a tenant is never cached
    enabled: (request) => responseCacheSession(request, linked) !== null,
    session: (request) => responseCacheSession(request, linked),
    buildResponseCacheKey: async (params) => {
      // as the plugin's default key, remembered per operation for readGeneration below
      const key = await hashSHA256([params.documentString, params.operationName ?? '', stableJson(params.variableValues ?? {}), params.sessionId ?? ''].join('|'));
      keyOf.set(params.context as object, key);
      return key;
    },
  });
  // before a query executes: the generation of the connection it reads, which its result is stored under
  const readGeneration: Plugin = {
    async onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName)?.operation;
      const key = keyOf.get(args.contextValue as object);
      if (key === undefined || operation !== 'query') return;
      let gen: { g: number; k: string } | null = null;
      try {
        const cache = (args.contextValue as Partial<GatewayContext>).conn?.cache;
        if (cache) {
          const g = await cache.generation();
          if (g >= 0) gen = { g, k: cache.generationKey };
        }
      } catch {
        gen = null; // no connection selectable (CONNECTION_REQUIRED): nothing to key the result on
      }
      // the same query running twice across a write: whichever finishes first could store the older answer
      // under the newer generation, so neither is kept
      const running = pending.get(key);
      pending.set(key, running === undefined || (running && gen && running.g === gen.g && running.k === gen.k) ? gen : null);
      if (pending.size > 10_000) pending.delete(pending.keys().next().value!);
    },
  };
  // every mutation (whatever its result: an error may follow a partial write) moves the global epoch on before
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
      addPlugin(readGeneration);
      addPlugin(bumpOnMutation);
    },
    onDispose: () => shared.release(),
  };
}
