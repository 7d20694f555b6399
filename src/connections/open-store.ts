// Picks the store from the configuration: PostgreSQL when DATABASE_URL is set, else SQLite under DATA_DIR.
import { join } from 'node:path';
import { SqlIdempotencyStore } from './idempotency.ts';
import { openPostgres } from './postgres.ts';
import { SqlConnectionStore } from './sql-store.ts';
import { openSqlite } from './sqlite.ts';
import type { ConnectionStore } from './types.ts';

export interface StoreConfig {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** PostgreSQL schema (tests use a unique one per run) */
  pgSchema?: string | undefined;
}

export const SQLITE_FILE = 'iiq-graph.sqlite';

/** Opens and migrates the store. */
export async function openStore(config: StoreConfig): Promise<ConnectionStore> {
  const driver = config.databaseUrl
    ? openPostgres({ connectionString: config.databaseUrl, ...(config.pgSchema ? { schema: config.pgSchema } : {}) })
    : openSqlite(join(config.dataDir, SQLITE_FILE));
  const store = new SqlConnectionStore(driver);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}

/** The idempotency records of writes in the same store (single-connection mode: nothing else is kept there). */
export async function openIdempotencyStore(config: StoreConfig): Promise<{ store: SqlIdempotencyStore; close(): Promise<void> }> {
  const store = (await openStore(config)) as SqlConnectionStore;
  return { store: new SqlIdempotencyStore(store.driver), close: () => store.close() };
}
