// Real databases for the store tests: SQLite in a temp dir, PostgreSQL at 127.0.0.1:5432 in a schema of
// its own per run (dropped afterwards) so that parallel runs never collide.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreConfig } from '../../src/connections/open-store.ts';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  config: StoreConfig;
  /** raw text of everything stored (SQLite: the file bytes; PostgreSQL: every row of every table, as text) */
  rawDump(): Promise<string>;
  drop(): Promise<void>;
}

export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'iiq-graph-store-'));
  return {
    kind: 'sqlite',
    config: { dataDir: dir },
    async rawDump() {
      const { readFileSync, readdirSync } = await import('node:fs');
      // the main file and the WAL: recent writes live in the WAL until a checkpoint
      return readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('\n');
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function postgresDatabase(): TestDatabase {
  const schema = `iiqg_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    kind: 'postgres',
    config: { dataDir: '/nonexistent', databaseUrl: PG_URL, pgSchema: schema },
    async rawDump() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        const tables = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema]);
        let out = '';
        for (const { table_name } of tables.rows as { table_name: string }[]) {
          const rows = await client.query(`SELECT t::text AS row FROM ${schema}.${table_name} t`);
          out += rows.rows.map((r: { row: string }) => r.row).join('\n');
        }
        return out;
      } finally {
        await client.end();
      }
    },
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

export const DATABASES = [
  { name: 'sqlite', make: sqliteDatabase },
  { name: 'postgres', make: postgresDatabase },
] as const;
