/**
 * Every connection to the embedded database opens the same way: the directory created, WAL
 * journal, NORMAL sync (durable at checkpoints, never corrupt), and a busy timeout.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export function openSqlite(path: string, busyTimeoutMs = 5000): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Another connection or process (the CLI) may hold the write lock for a moment; wait instead of failing.
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  return db;
}
