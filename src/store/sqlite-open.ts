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

/**
 * better-sqlite3 builds SQLite with a 16 MB page cache per connection. A connection that only
 * appends usage rows touches the right-hand edge of its b-trees (two tables, four indexes on ts
 * and key_id), a few dozen pages, and every committed page is in the WAL and the OS's cache
 * anyway. The full 16 MB was 14 MB of the gateway's resident memory after ~100k requests; SQLite's
 * stock 2 MB holds that working set with room to spare, for the same writer CPU per row.
 */
export const APPENDER_CACHE_KIB = 2000;

/** A connection for the usage log's inserts: as openSqlite, with a page cache sized for appending. */
export function openSqliteAppender(path: string, busyTimeoutMs = 5000): Database.Database {
  const db = openSqlite(path, busyTimeoutMs);
  db.pragma(`cache_size = -${APPENDER_CACHE_KIB}`);
  return db;
}
