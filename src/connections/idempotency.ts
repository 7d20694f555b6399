// Idempotency keys of writes (createUser): the first request with a key claims it, runs, and records the id of
// what it created; a replay within 24 hours gets that id back without a second upstream POST. Records live in the
// connections store (SQLite under DATA_DIR / PostgreSQL with DATABASE_URL) in both modes, so they outlive a restart:
// linked accounts use their open store; the single connection opens the same store on its first keyed write
// (src/app.ts). Memory only where no store is configured (an app built from a hand-made config).
import { createHash } from 'node:crypto';
import type { SqlDriver } from './sql-store.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type ClaimResult =
  | { state: 'claimed' }
  | { state: 'done'; requestHash: string; resultId: string }
  | { state: 'pending'; requestHash: string };

export interface IdempotencyStore {
  /** Claims (scope, key) for a request; an expired record is replaced. Atomic under concurrency. */
  claim(scope: string, key: string, requestHash: string, now?: number): Promise<ClaimResult>;
  /** Records the result of a claimed key. */
  complete(scope: string, key: string, resultId: string): Promise<void>;
  /** Gives a claimed key up (the write failed: a retry with the same key may run again). */
  release(scope: string, key: string): Promise<void>;
}

/** Keys are stored hashed: a client's key may carry meaning it did not mean to share. */
const hashKey = (scope: string, key: string) => createHash('sha256').update(`${scope}\u0000${key}`).digest('base64url');

export function requestHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('base64url');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, { requestHash: string; resultId: string | null; at: number }>();

  async claim(scope: string, key: string, hash: string, now = Date.now()): Promise<ClaimResult> {
    for (const [k, r] of this.records) if (now - r.at >= IDEMPOTENCY_TTL_MS) this.records.delete(k);
    const id = hashKey(scope, key);
    const found = this.records.get(id);
    if (!found) {
      this.records.set(id, { requestHash: hash, resultId: null, at: now });
      return { state: 'claimed' };
    }
    return found.resultId === null ? { state: 'pending', requestHash: found.requestHash } : { state: 'done', requestHash: found.requestHash, resultId: found.resultId };
  }

  async complete(scope: string, key: string, resultId: string): Promise<void> {
    const r = this.records.get(hashKey(scope, key));
    if (r) r.resultId = resultId;
  }

  async release(scope: string, key: string): Promise<void> {
    this.records.delete(hashKey(scope, key));
  }
}

export class SqlIdempotencyStore implements IdempotencyStore {
  private ready: Promise<void> | null = null;

  constructor(private readonly db: SqlDriver) {}

  /** Its own table, created on first use: kept out of the connections' migration list. */
  private ensure(): Promise<void> {
    this.ready ??= (async () => {
      await this.db.run(
        `CREATE TABLE IF NOT EXISTS idempotency_keys (id TEXT PRIMARY KEY, request_hash TEXT NOT NULL, result_id TEXT, created_at BIGINT NOT NULL)`,
      );
    })().catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  async claim(scope: string, key: string, hash: string, now = Date.now()): Promise<ClaimResult> {
    await this.ensure();
    const id = hashKey(scope, key);
    await this.db.run(`DELETE FROM idempotency_keys WHERE created_at < ?`, [now - IDEMPOTENCY_TTL_MS]);
    // the primary key makes the claim atomic: exactly one concurrent request inserts
    const inserted = await this.db.run(
      `INSERT INTO idempotency_keys (id, request_hash, result_id, created_at) VALUES (?, ?, NULL, ?) ON CONFLICT (id) DO NOTHING`,
      [id, hash, now],
    );
    if (inserted === 1) return { state: 'claimed' };
    const [row] = await this.db.all(`SELECT request_hash, result_id FROM idempotency_keys WHERE id = ?`, [id]);
    if (!row) return this.claim(scope, key, hash, now); // expired and removed in between
    const requestHash = String(row.request_hash);
    return row.result_id === null || row.result_id === undefined ? { state: 'pending', requestHash } : { state: 'done', requestHash, resultId: String(row.result_id) };
  }

  async complete(scope: string, key: string, resultId: string): Promise<void> {
    await this.db.run(`UPDATE idempotency_keys SET result_id = ? WHERE id = ?`, [resultId, hashKey(scope, key)]);
  }

  async release(scope: string, key: string): Promise<void> {
    await this.db.run(`DELETE FROM idempotency_keys WHERE id = ? AND result_id IS NULL`, [hashKey(scope, key)]);
  }
}

/** A store opened on first use (the single connection: read-only deployments never open a database). */
export class LazyIdempotencyStore implements IdempotencyStore {
  private opening: Promise<{ store: IdempotencyStore; close(): Promise<void> }> | null = null;
  private closed = false;

  constructor(private readonly open: () => Promise<{ store: IdempotencyStore; close(): Promise<void> }>) {}

  private get(): Promise<IdempotencyStore> {
    if (this.closed) return Promise.reject(new Error('the idempotency store is closed'));
    this.opening ??= this.open().catch((err: unknown) => {
      this.opening = null; // not cached: the next keyed write tries again
      throw err;
    });
    return this.opening.then((o) => o.store);
  }

  async claim(scope: string, key: string, hash: string, now?: number): Promise<ClaimResult> {
    return (await this.get()).claim(scope, key, hash, now);
  }

  async complete(scope: string, key: string, resultId: string): Promise<void> {
    return (await this.get()).complete(scope, key, resultId);
  }

  async release(scope: string, key: string): Promise<void> {
    return (await this.get()).release(scope, key);
  }

  async close(): Promise<void> {
    this.closed = true;
    const opening = this.opening;
    this.opening = null;
    if (opening) await opening.then((o) => o.close(), () => undefined);
  }
}

// The single connection's store, by the connection's origin client (the same under mirror-served reads).
const bound = new WeakMap<object, IdempotencyStore>();

export function bindIdempotencyStore(origin: object, store: IdempotencyStore): void {
  bound.set(origin, store);
}

export function boundIdempotencyStore(origin: object): IdempotencyStore | undefined {
  return bound.get(origin);
}
