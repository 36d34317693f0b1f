/**
 * Connections that only append usage rows run with SQLite's stock 2 MB page cache, not the 16 MB
 * better-sqlite3 builds in (14 MB of the gateway's resident memory after a long load); other
 * connections keep the build's default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPENDER_CACHE_KIB, openSqlite, openSqliteAppender } from '../../../src/store/sqlite-open.js';
import { SqliteUsageLog } from '../../../src/store/sqlite-usage-log.js';

test('usage-log connections cap their page cache; others keep the default', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-open-'));
  try {
    const path = join(dir, 'u.db');
    const plain = openSqlite(path);
    const appender = openSqliteAppender(path);
    const log = SqliteUsageLog.open({ path });
    try {
      assert.equal(APPENDER_CACHE_KIB, 2000);
      assert.equal(appender.pragma('cache_size', { simple: true }), -APPENDER_CACHE_KIB);
      assert.equal(log.db.pragma('cache_size', { simple: true }), -APPENDER_CACHE_KIB);
      assert.equal(plain.pragma('cache_size', { simple: true }), -16000);
      // Still a WAL connection with a busy timeout, as every other.
      assert.equal(appender.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(appender.pragma('busy_timeout', { simple: true }), 5000);
    } finally {
      plain.close(); appender.close(); await log.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
