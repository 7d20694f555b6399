// Per-connection cache of SCIM reads in front of the IIQ client. Keys start with the tenant and connection,
// so tenants and connections never share an entry. Users are revalidated with If-None-Match once their
// TTL has passed (IIQ answers 304 from meta.version); lists and counts live for their own, shorter TTL and
// are all dropped by a generation bump on any write through the gateway.
import { createHash } from 'node:crypto';
import type { IiqClient, IiqRole, IiqUser, Page, UserLookupOptions } from '../iiq/types.ts';
import { cacheInvalidationsTotal, cacheRequestsTotal, cacheRevalidationsTotal, cacheErrorsTotal } from '../observability/metrics.ts';
import type { CacheStore } from './store.ts';

export interface CacheTtls {
  /** a user is served without asking IIQ this long */
  usersMs: number;
  /** a page of users / a count */
  listsMs: number;
  rolesMs: number;
  /** how long an expired user is kept for revalidation with If-None-Match */
  staleMs: number;
}

export interface CacheScope {
  tenantId: string;
  connectionId: string;
}

interface Entry<T> {
  value: T;
  at: number;
}

/** Client methods that change IIQ; those not handled one by one below drop everything the connection cached. */
const WRITE_METHOD = /^(create|replace|update|delete|change|patch|set|enable|disable|unlock|add|remove|assign|revoke)[A-Z]/;

/** More stale users than this in one batch are refetched with one filtered request instead of one GET each. */
const MAX_REVALIDATIONS = 8;

export interface ConnectionCache {
  /** the client with reads served from the cache */
  readonly client: IiqClient;
  /** the instrumented client without the cache (readiness probes) */
  readonly origin: IiqClient;
  /** drop every cached selection of a user, and every list and count (a write may move it between pages) */
  invalidateUser(id: string): Promise<void>;
  invalidateLists(): Promise<void>;
  invalidateRole(id: string): Promise<void>;
  /** drop every user and list of the connection (a write that cannot be attributed to one user) */
  invalidateAll(): Promise<void>;
  /**
   * The connection's write generation: moved on by every invalidation above (in the store, so with Redis every
   * replica sees it at once); the response cache keeps results only while it is unchanged. -1: store down.
   */
  generation(): Promise<number>;
  /** the store key of that generation */
  readonly generationKey: string;
  release(): void;
}

const live = new Map<string, WeakRef<ConnectionCache>>();

/** For code that writes to IIQ without going through the cached client (e.g. a mirror update). */
export async function invalidateUser(connectionId: string, userId: string): Promise<void> {
  await live.get(connectionId)?.deref()?.invalidateUser(userId);
}

function selectionKey(opts: UserLookupOptions): string {
  const fields = opts.fields === undefined || opts.fields === 'default' ? 'default' : [...opts.fields].sort().join(',');
  return `${fields}|${opts.includeRoles ? 'r' : ''}${opts.includeEntitlements ? 'e' : ''}`;
}

function digest(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('base64url');
}

/** Where a connection's entries and counters live in the store. */
function connectionKeys(keyPrefix: string, scope: CacheScope) {
  const prefix = `${keyPrefix}${encodeURIComponent(scope.tenantId)}:${encodeURIComponent(scope.connectionId)}:`;
  return {
    prefix,
    // users live under an epoch: a write the cache cannot attribute to one user (e.g. an account change) moves it
    userKey: (id: string, epoch = 0) => `${prefix}u:${epoch}:${encodeURIComponent(id)}`,
    roleKey: (id: string) => `${prefix}r:${encodeURIComponent(id)}`,
    /** lists, counts, users by name and the connection's cached GraphQL responses live under this generation */
    genKey: `${prefix}gen`,
    epochKey: `${prefix}epoch`,
  };
}

/** A store operation whose failure is counted and replaced by `fallback` (a broken store never fails a request). */
function safely(store: CacheStore) {
  return async <T>(p: Promise<T>, fallback: T): Promise<T> => {
    try {
      return await p;
    } catch {
      cacheErrorsTotal.inc({ store: store.kind });
      return fallback;
    }
  };
}

export interface CacheInvalidator {
  invalidateUser(id: string): Promise<void>;
  /** drop one cached role (and move the generation on: responses may show it) */
  invalidateRole(id: string): Promise<void>;
  invalidateLists(): Promise<void>;
  invalidateAll(): Promise<void>;
}

/**
 * Invalidation of one connection's entries, straight on the store: usable where no client of the connection
 * lives in this process (a write through the SCIM proxy of a linked connection); with Redis every replica
 * sees it at once. A store failure is counted and swallowed (the entries then live out their TTL).
 */
export function createInvalidator(store: CacheStore, scope: CacheScope, keyPrefix: string): CacheInvalidator {
  const connection = scope.connectionId;
  const { userKey, roleKey, genKey, epochKey } = connectionKeys(keyPrefix, scope);
  const safe = safely(store);
  async function invalidateLists(): Promise<void> {
    cacheInvalidationsTotal.inc({ connection, kind: 'list' });
    await safe(store.incr(genKey), 0);
  }
  return {
    invalidateLists,
    async invalidateUser(id) {
      cacheInvalidationsTotal.inc({ connection, kind: 'user' });
      const epoch = await safe(store.get<number>(epochKey).then((e) => e ?? 0), 0);
      await Promise.all([safe(store.delete([userKey(id, epoch)]), undefined), invalidateLists()]);
    },
    async invalidateRole(id) {
      cacheInvalidationsTotal.inc({ connection, kind: 'role' });
      await Promise.all([safe(store.delete([roleKey(id)]), undefined), invalidateLists()]);
    },
    async invalidateAll() {
      cacheInvalidationsTotal.inc({ connection, kind: 'all' });
      await Promise.all([safe(store.incr(epochKey), 0), invalidateLists()]);
    },
  };
}

export function createConnectionCache(origin: IiqClient, store: CacheStore, scope: CacheScope, ttls: CacheTtls, options: { keyPrefix: string; release: () => void }): ConnectionCache {
  const connection = scope.connectionId;
  const { prefix, userKey, roleKey, genKey, epochKey } = connectionKeys(options.keyPrefix, scope);
  const count = (kind: string, result: string, n = 1) => {
    if (n > 0) cacheRequestsTotal.inc({ connection, kind, result }, n);
  };
  // a broken store never fails a read: it is a miss, counted
  const safe = safely(store);

  async function readUsers(ids: readonly string[], opts: UserLookupOptions): Promise<(IiqUser | null)[]> {
    const { ifNoneMatch: _ignored, ...lookup } = opts;
    const field = selectionKey(lookup);
    const unique = [...new Set(ids)];
    const epoch = await safe(store.get<number>(epochKey).then((e) => e ?? 0), -1);
    if (epoch < 0) return origin.getUsersByIds(ids, lookup); // store down: read through
    const key = (id: string) => userKey(id, epoch);
    const cached = await safe(store.hmget<Entry<IiqUser>>(unique.map(key), field), unique.map(() => undefined));
    const now = Date.now();
    const found = new Map<string, IiqUser | null>();
    const stale: { id: string; entry: Entry<IiqUser> }[] = [];
    let missing: string[] = [];
    unique.forEach((id, i) => {
      const entry = cached[i];
      if (!entry) missing.push(id);
      else if (now - entry.at < ttls.usersMs) found.set(id, entry.value);
      else if (entry.value.version) stale.push({ id, entry });
      else missing.push(id);
    });
    count('user', 'hit', found.size);
    count('user', 'miss', missing.length);
    count('user', 'stale', stale.length);
    let revalidate = stale;
    if (stale.length > MAX_REVALIDATIONS) {
      missing = missing.concat(stale.map((s) => s.id));
      revalidate = [];
    }
    const writes: { key: string; field: string; value: Entry<IiqUser> }[] = [];
    const gone: string[] = [];
    await Promise.all([
      (async () => {
        if (missing.length === 0) return;
        const users = missing.length === 1 ? [await getFresh(missing[0]!, lookup)] : await origin.getUsersByIds(missing, lookup);
        missing.forEach((id, i) => {
          const u = users[i] ?? null;
          found.set(id, u);
          if (u) writes.push({ key: key(id), field, value: { value: u, at: Date.now() } });
        });
      })(),
      ...revalidate.map(async ({ id, entry }) => {
        // conditional GET: 304 costs IIQ no serialisation and us no parsing (RFC 9110 §13.1.2)
        const r = await origin.getUser(id, { ...lookup, ifNoneMatch: entry.value.version! });
        if (r && 'notModified' in r) {
          cacheRevalidationsTotal.inc({ connection, kind: 'user', result: 'not_modified' });
          found.set(id, entry.value);
          writes.push({ key: key(id), field, value: { value: entry.value, at: Date.now() } });
        } else if (r) {
          cacheRevalidationsTotal.inc({ connection, kind: 'user', result: 'changed' });
          found.set(id, r);
          writes.push({ key: key(id), field, value: { value: r, at: Date.now() } });
        } else {
          cacheRevalidationsTotal.inc({ connection, kind: 'user', result: 'gone' });
          found.set(id, null);
          gone.push(key(id));
        }
      }),
    ]);
    await safe(store.hmset(writes, ttls.usersMs + ttls.staleMs), undefined);
    if (gone.length) await safe(store.delete(gone), undefined);
    return ids.map((id) => found.get(id) ?? null);
  }

  /** by userName: entries live under the list generation (a write anywhere drops them), for the users TTL */
  async function readUsersByName(names: readonly string[], opts: UserLookupOptions): Promise<(IiqUser | null)[]> {
    const { ifNoneMatch: _ignored, ...lookup } = opts;
    const gen = await generation();
    if (gen < 0) return origin.getUsersByNames(names, lookup);
    const field = selectionKey(lookup);
    const unique = [...new Set(names)];
    const key = (n: string) => `${prefix}n:${gen}:${encodeURIComponent(n)}`;
    const cached = await safe(store.hmget<Entry<IiqUser>>(unique.map(key), field), unique.map(() => undefined));
    const now = Date.now();
    const found = new Map<string, IiqUser | null>();
    const missing: string[] = [];
    unique.forEach((n, i) => {
      const entry = cached[i];
      if (entry && now - entry.at < ttls.usersMs) found.set(n, entry.value);
      else missing.push(n);
    });
    count('userByName', 'hit', found.size);
    count('userByName', 'miss', missing.length);
    if (missing.length) {
      const users = await origin.getUsersByNames(missing, lookup);
      const writes: { key: string; field: string; value: Entry<IiqUser> }[] = [];
      missing.forEach((n, i) => {
        const u = users[i] ?? null;
        found.set(n, u);
        if (u) writes.push({ key: key(n), field, value: { value: u, at: Date.now() } });
      });
      await safe(store.hmset(writes, ttls.usersMs), undefined);
    }
    return names.map((n) => found.get(n) ?? null);
  }

  async function getFresh(id: string, lookup: UserLookupOptions): Promise<IiqUser | null> {
    const r = await origin.getUser(id, lookup);
    return r && 'notModified' in r ? null : r;
  }

  async function generation(): Promise<number> {
    return safe(store.get<number>(genKey).then((g) => g ?? 0), -1);
  }

  /** A list-shaped read (page or count) cached under the current generation. */
  async function listRead<T>(kind: string, query: unknown, load: () => Promise<T>): Promise<T> {
    const gen = await generation();
    if (gen < 0) return load(); // store down: no caching at all rather than a generation we cannot trust
    const key = `${prefix}${kind}:${gen}:${digest(query)}`;
    const hit = await safe(store.get<T>(key), undefined);
    if (hit !== undefined) {
      count(kind, 'hit');
      return hit;
    }
    count(kind, 'miss');
    const value = await load();
    await safe(store.set(key, value, ttls.listsMs), undefined);
    return value;
  }

  const { invalidateLists, invalidateUser, invalidateRole, invalidateAll } = createInvalidator(store, scope, options.keyPrefix);

  /** writes the client gained after this file was written: correct first, cheap second */
  const otherWrites: Partial<Record<string, unknown>> = {};
  for (const name of Object.keys(origin)) {
    const fn = (origin as unknown as Record<string, unknown>)[name];
    if (typeof fn !== 'function' || !WRITE_METHOD.test(name) || ['createUser', 'replaceUser', 'deleteUser'].includes(name)) continue;
    otherWrites[name] = async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } finally {
        await invalidateAll();
      }
    };
  }

  const client: IiqClient = {
    ...origin,
    ...(otherWrites as Partial<IiqClient>),
    baseUrl: origin.baseUrl,
    async getUser(id, opts = {}) {
      if (opts.ifNoneMatch) return origin.getUser(id, opts); // the caller revalidates itself
      const [u] = await readUsers([id], opts);
      return u ?? null;
    },
    getUsersByIds: (ids, opts = {}) => (ids.length === 0 ? Promise.resolve([]) : readUsers(ids, opts)),
    getUsersByNames: (names, opts = {}) => (names.length === 0 ? Promise.resolve([]) : readUsersByName(names, opts)),
    listUsers: (query, opts) => listRead<Page<IiqUser>>('list', query, () => origin.listUsers(query, opts)),
    countUsers: (filter, opts) => listRead<number>('count', filter ?? null, () => origin.countUsers(filter, opts)),
    async getRole(id, opts) {
      const key = roleKey(id);
      const hit = await safe(store.get<IiqRole>(key), undefined);
      if (hit) {
        count('role', 'hit');
        return hit;
      }
      count('role', 'miss');
      const role = await origin.getRole(id, opts);
      if (role) await safe(store.set(key, role, ttls.rolesMs), undefined);
      return role;
    },
    async createUser(input, opts) {
      try {
        return await origin.createUser(input, opts);
      } finally {
        await invalidateLists();
      }
    },
    async replaceUser(id, input, opts) {
      try {
        return await origin.replaceUser(id, input, opts);
      } finally {
        await invalidateUser(id);
      }
    },
    async deleteUser(id, opts) {
      try {
        return await origin.deleteUser(id, opts);
      } finally {
        await invalidateUser(id);
      }
    },
    close: async () => {
      release();
      await origin.close();
    },
  };

  let released = false;
  const self: ConnectionCache = {
    client,
    origin,
    invalidateUser,
    invalidateLists,
    invalidateRole,
    invalidateAll,
    generation,
    generationKey: genKey,
    release,
  };
  function release(): void {
    if (released) return;
    released = true;
    if (live.get(connection)?.deref() === self) live.delete(connection);
    options.release();
  }
  live.set(connection, new WeakRef(self));
  return self;
}
