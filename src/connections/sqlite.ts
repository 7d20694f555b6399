// SQLite driver (better-sqlite3, synchronous, one connection): the default store, a file under DATA_DIR.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Row, SqlDriver } from './sql-store.ts';

export function openSqlite(file: string): SqlDriver {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const all = async (sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as Row[];
  const run = async (sql: string, params: unknown[] = []) => db.prepare(sql).run(...params).changes;
  return {
    kind: 'sqlite',
    all,
    run,
    async migrationTransaction(fn) {
      // IMMEDIATE takes the write lock up front: a second process waits (busy_timeout) instead of racing
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn({ all, run });
        db.exec('COMMIT');
        return result;
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    },
    async close() {
      db.close();
    },
  };
}
