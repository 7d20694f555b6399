// Where cached SCIM reads live: an in-process LRU (default) or Redis (REDIS_URL, shared by replicas).
// Entries are small hashes: one key per resource, one field per attribute selection, so that a write
// drops every selection of a resource with one delete.
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { cacheErrorsTotal } from '../observability/metrics.ts';

export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  /** field `field` of each key, in key order; undefined where absent */
  hmget<T>(keys: readonly string[], field: string): Promise<(T | undefined)[]>;
  /** sets field values (one per key) and the keys' time to live */
  hmset<T>(entries: readonly { key: string; field: string; value: T }[], ttlMs: number): Promise<void>;
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  /** atomically increments a counter, returns the new value */
  incr(key: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** In-process store: values are kept as objects (never copied), so callers must not mutate them. */
export class MemoryStore implements CacheStore {
  readonly kind = 'memory';
  private readonly lru: LRUCache<string, Map<string, unknown> | { value: unknown }>;

  constructor(maxEntries: number) {
    this.lru = new LRUCache({ max: maxEntries, ttlAutopurge: false });
  }

  hmget<T>(keys: readonly string[], field: string): Promise<(T | undefined)[]> {
    return Promise.resolve(keys.map((k) => {
      const v = this.lru.get(k);
      return v instanceof Map ? (v.get(field) as T | undefined) : undefined;
    }));
  }

  hmset<T>(entries: readonly { key: string; field: string; value: T }[], ttlMs: number): Promise<void> {
    for (const { key, field, value } of entries) {
      let m = this.lru.get(key);
      if (!(m instanceof Map)) m = new Map();
      m.set(field, value);
      this.lru.set(key, m, { ttl: ttlMs });
    }
    return Promise.resolve();
  }

  get<T>(key: string): Promise<T | undefined> {
    const v = this.lru.get(key);
    return Promise.resolve(v && !(v instanceof Map) ? (v.value as T) : undefined);
  }

  set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    this.lru.set(key, { value }, { ttl: ttlMs });
    return Promise.resolve();
  }

  delete(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.lru.delete(k);
    return Promise.resolve();
  }

  incr(key: string): Promise<number> {
    const v = this.lru.get(key);
    const n = (v && !(v instanceof Map) && typeof v.value === 'number' ? v.value : 0) + 1;
    this.lru.set(key, { value: n }); // no TTL: a generation must not go back
    return Promise.resolve(n);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.lru.clear();
    return Promise.resolve();
  }
}

/** Redis store: JSON values; failures surface as rejections and the caller treats them as misses. */
export class RedisStore implements CacheStore {
  readonly kind = 'redis';
  private readonly redis: Redis;
  /** set once Redis was up or failed: from then on commands never wait for a connection */
  private settled = false;

  constructor(url: string) {
    // commands wait for the connection at start, but never long: a cache miss is better than a stalled request
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 500 });
    this.redis.on('error', () => {
      this.settled = true;
      cacheErrorsTotal.inc({ store: 'redis' });
    });
    this.redis.on('ready', () => {
      this.settled = true;
    });
  }

  /** Commands wait for the first connection only; after that an outage fails them at once (a miss). */
  private get client(): Redis {
    if (this.settled && this.redis.status !== 'ready') throw new Error(`Redis is ${this.redis.status}`);
    return this.redis;
  }

  async hmget<T>(keys: readonly string[], field: string): Promise<(T | undefined)[]> {
    if (keys.length === 0) return [];
    const p = this.client.pipeline();
    for (const k of keys) p.hget(k, field);
    const results = (await p.exec()) ?? [];
    return results.map(([err, v]) => (err || v == null ? undefined : (JSON.parse(v as string) as T)));
  }

  async hmset<T>(entries: readonly { key: string; field: string; value: T }[], ttlMs: number): Promise<void> {
    if (entries.length === 0) return;
    const p = this.client.pipeline();
    for (const { key, field, value } of entries) p.hset(key, field, JSON.stringify(value)).pexpire(key, ttlMs);
    await p.exec();
  }

  async get<T>(key: string): Promise<T | undefined> {
    const v = await this.client.get(key);
    return v == null ? undefined : (JSON.parse(v) as T);
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    await this.client.set(key, JSON.stringify(value), 'PX', ttlMs);
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length) await this.client.del(...keys);
  }

  async incr(key: string): Promise<number> {
    return this.client.incr(key);
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

export interface CacheStoreConfig {
  redisUrl?: string | undefined;
  maxEntries: number;
}

const shared = new Map<string, { store: CacheStore; refs: number }>();

/** One store per process and configuration (a Redis connection or an LRU), released when its last user goes. */
export function acquireCacheStore(config: CacheStoreConfig): { store: CacheStore; release: () => void } {
  const id = config.redisUrl ? `redis ${config.redisUrl}` : `memory ${config.maxEntries}`;
  let entry = shared.get(id);
  if (!entry) {
    entry = { store: config.redisUrl ? new RedisStore(config.redisUrl) : new MemoryStore(config.maxEntries), refs: 0 };
    shared.set(id, entry);
  }
  entry.refs++;
  const held = entry;
  let released = false;
  return {
    store: held.store,
    release: () => {
      if (released) return;
      released = true;
      if (--held.refs === 0) {
        shared.delete(id);
        void held.store.close();
      }
    },
  };
}
