import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BackgroundCheckpointer } from '../../../src/store/sqlite-checkpointer.js';
import { SqliteUsageLog } from '../../../src/store/sqlite-usage-log.js';
import { createStore } from '../../../src/store/create-store.js';
import type { UsageRecord } from '../../../src/store/usage-record.js';

const record = (i: number): UsageRecord => ({
  id: `req-${i}`, ts: Date.now(), keyId: null, model: 'm', servedModel: 'm', provider: 'p', deployment: 'd', stream: false,
  status: 200, errorCode: null, inputTokens: 10, outputTokens: 20, reasoningTokens: 0, cachedTokens: 0, usageEstimated: false,
  costUsd: 0.001, latencyMs: 1, ttftMs: null, route: 'r', meta: 'x'.repeat(2000),
});

test('with a background checkpointer, commits never checkpoint and the worker keeps the WAL from growing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-ckpt-'));
  const path = join(dir, 'switchyard.db');
  const checkpointer = BackgroundCheckpointer.start(path, 50)!;
  const store = await createStore({ sqlitePath: path, checkpointer });
  const log = SqliteUsageLog.open({ path, checkpointer });
  try {
    assert.equal(log.db.pragma('wal_autocheckpoint', { simple: true }), 0);
    // ~12 MB of rows: far past SQLite's 1,000-page (4 MB) auto-checkpoint point.
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 1000; i++) log.push(record(round * 1000 + i));
      await log.flush();
      await delay(120); // the worker checkpoints every 50 ms; the next writer then starts the WAL over
    }
    const wal = statSync(`${path}-wal`).size;
    assert.ok(wal < 8 * 1024 * 1024, `WAL is ${wal} bytes: the worker did not checkpoint`);
    const n = (log.db.prepare('SELECT COUNT(*) AS n FROM request_log').get() as { n: number }).n;
    assert.equal(n, 6000);
  } finally {
    await checkpointer.close();
    assert.equal(log.db.pragma('wal_autocheckpoint', { simple: true }), 1000, 'closing hands checkpoints back to SQLite');
    await log.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an in-memory database needs no checkpointer', () => {
  assert.equal(BackgroundCheckpointer.start(':memory:'), null);
});
