// PostgreSQL driver (pg Pool) used when DATABASE_URL is set. `?` placeholders become `$1..$n`.
import pg from 'pg';
import type { Row, SqlDriver } from './sql-store.ts';

/** Rewrites `?` to `$n`; the store's statements contain no `?` inside string literals. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Arbitrary constant: serialises migrations of gateways starting at the same time. */
const MIGRATION_LOCK = 4_240_606;

export interface PostgresOptions {
  connectionString: string;
  /** schema to use (created when missing); default: the server's search_path */
  schema?: string;
  max?: number;
}

export function openPostgres(options: PostgresOptions): SqlDriver {
  const { schema } = options;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('PostgreSQL schema name must match [a-z_][a-z0-9_]*');
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // an idle client losing its server connection must not crash the process
  pool.on('error', () => {});

  return {
    kind: 'postgres',
    async all(sql, params = []) {
      return (await pool.query(numbered(sql), params)).rows as Row[];
    },
    async run(sql, params = []) {
      return (await pool.query(numbered(sql), params)).rowCount ?? 0;
    },
    async migrationTransaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        // under the lock: CREATE SCHEMA IF NOT EXISTS is not safe against a concurrent twin
        if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        const tx = {
          all: async (sql: string, params: unknown[] = []) => (await client.query(numbered(sql), params)).rows as Row[],
          run: async (sql: string, params: unknown[] = []) => (await client.query(numbered(sql), params)).rowCount ?? 0,
        };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
