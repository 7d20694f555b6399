// The mirror's database: SQLite (better-sqlite3, a file of its own under DATA_DIR) or PostgreSQL (pg Pool, the
// same DATABASE_URL as the connection store). One statement dialect (`?` placeholders, TEXT / INTEGER columns),
// real transactions, and a per-connection write lock so two gateways never interleave one mirror's writes.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

export type Row = Record<string, unknown>;

export interface MirrorQueries {
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
}

export interface MirrorDb extends MirrorQueries {
  readonly kind: 'sqlite' | 'postgres';
  /** runs fn in one transaction; `lockKey` serialises writers of one mirror across processes (PostgreSQL) */
  tx<T>(fn: (q: MirrorQueries) => Promise<T>, lockKey?: string): Promise<T>;
  /**
   * PostgreSQL shared by replicas: while `fence()` names a lease and the token this process acquired it with,
   * every locked write transaction first checks that the lease row still holds that token — a replica that lost
   * its lease without noticing (a newer owner incremented it) cannot commit another batch (FencedError).
   * `fence` receives the transaction's lock key (the connection id): one database serves many connections'
   * mirrors, each under a lease of its own (linked accounts).
   */
  setFence?(fence: (lockKey: string) => { name: string; token: number } | undefined): void;
  close(): Promise<void>;
}

export class FencedError extends Error {
  constructor(name: string, token: number, current: number | null) {
    super(`lease ${name} moved on (this replica holds token ${token}, the current one is ${current ?? 'none'}): write refused`);
    this.name = 'FencedError';
  }
}

/** A promise chain: one transaction at a time on a single SQLite connection. */
function mutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn, fn);
    tail = next.catch(() => undefined);
    return next;
  };
}

export function openMirrorSqlite(file: string): MirrorDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // reads of served requests: a 64 MB page cache (2 MB by default) and the file mapped, so a hot user's pages
  // (index, row, overflow) cost no read() system calls
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  const cache = new Map<string, Database.Statement>();
  const prep = (sql: string) => {
    let st = cache.get(sql);
    if (!st) cache.set(sql, (st = db.prepare(sql)));
    return st;
  };
  const q: MirrorQueries = {
    all: async (sql, params = []) => prep(sql).all(...params) as Row[],
    run: async (sql, params = []) => {
      const st = prep(sql);
      return st.reader ? (st.all(...params), 0) : st.run(...params).changes;
    },
  };
  const serial = mutex();
  return {
    kind: 'sqlite',
    ...q,
    tx: (fn) =>
      serial(async () => {
        // IMMEDIATE takes the write lock up front: another process waits (busy_timeout) instead of failing mid-way
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(q);
          db.exec('COMMIT');
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      }),
    async close() {
      db.close();
    },
  };
}

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export interface MirrorPostgresOptions {
  connectionString: string;
  /** schema (created when missing); tests use one per run */
  schema?: string | undefined;
  max?: number;
}

export function openMirrorPostgres(options: MirrorPostgresOptions): MirrorDb {
  const { schema } = options;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('PostgreSQL schema name must match [a-z_][a-z0-9_]*');
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 5, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  pool.on('error', () => {}); // an idle client losing its connection must not crash the process
  // BIGINT columns come back as strings by default; mirror sequences stay far below 2^53
  const parse = (rows: Row[]) => rows;
  let schemaReady: Promise<void> | null = null;
  let fence: (lockKey: string) => { name: string; token: number } | undefined = () => undefined;
  const ensureSchema = () => (schemaReady ??= schema ? pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).then(() => {}) : Promise.resolve());
  return {
    kind: 'postgres',
    async all(sql, params = []) {
      await ensureSchema();
      return parse((await pool.query(numbered(sql), params)).rows as Row[]);
    },
    async run(sql, params = []) {
      await ensureSchema();
      return (await pool.query(numbered(sql), params)).rowCount ?? 0;
    },
    async tx(fn, lockKey) {
      await ensureSchema();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        if (lockKey !== undefined) {
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`iiq-graph-mirror:${lockKey}`]);
          const held = fence(lockKey);
          if (held) {
            const row = (await client.query('SELECT token FROM iiq_graph_leases WHERE name = $1', [held.name])).rows[0] as { token: string } | undefined;
            const current = row ? Number(row.token) : null;
            if (current !== held.token) throw new FencedError(held.name, held.token, current);
          }
        }
        const q: MirrorQueries = {
          all: async (sql, params = []) => parse((await client.query(numbered(sql), params)).rows as Row[]),
          run: async (sql, params = []) => (await client.query(numbered(sql), params)).rowCount ?? 0,
        };
        const result = await fn(q);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    setFence(f) {
      fence = f;
    },
    async close() {
      await pool.end();
    },
  };
}
