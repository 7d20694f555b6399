// SQLite driver (better-sqlite3, synchronous, one connection): the default store, a file under DATA_DIR.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Row, SqlDriver } from './sql-store.ts';

/**
 * Migrations of one file run one at a time in this process: better-sqlite3 blocks the thread while it waits
 * for a lock, so two in-process transactions would wait on each other. Other processes wait in busy_timeout.
 */
const migrationQueues = new Map<string, Promise<unknown>>();

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
    migrationTransaction(fn) {
      const key = resolve(file);
      const run_ = async () => {
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
      };
      const next = (migrationQueues.get(key) ?? Promise.resolve()).catch(() => {}).then(run_);
      migrationQueues.set(key, next);
      return next;
    },
    async close() {
      db.close();
    },
  };
}
