// Opens and migrates the mirror: PostgreSQL when a URL is given (the store's DATABASE_URL), else a SQLite file
// of its own under DATA_DIR (a sync's long write transactions never block the connection store).
import { join } from 'node:path';
import { openMirrorPostgres, openMirrorSqlite } from './db.ts';
import { MirrorStore } from './store.ts';

export interface MirrorDbConfig {
  dataDir: string;
  databaseUrl?: string | undefined;
  pgSchema?: string | undefined;
}

export const MIRROR_SQLITE_FILE = 'iiq-graph-mirror.sqlite';

export async function openMirrorStore(config: MirrorDbConfig): Promise<MirrorStore> {
  const db = config.databaseUrl
    ? openMirrorPostgres({ connectionString: config.databaseUrl, schema: config.pgSchema })
    : openMirrorSqlite(join(config.dataDir, MIRROR_SQLITE_FILE));
  const store = new MirrorStore(db);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}
