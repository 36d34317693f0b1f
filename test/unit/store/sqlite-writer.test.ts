/**
 * The server's SQLite writer thread: rows reach the file (request log and spend) without the
 * event loop writing them, the WAL stays small, the thread runs below the event loop's
 * priority, a failed batch is retried, and a thread that dies loses nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { SqliteWriter } from '../../../src/store/sqlite-writer.js';
import { createStore } from '../../../src/store/create-store.js';
import type { UsageRecord } from '../../../src/store/usage-record.js';

const record = (i: number, over: Partial<UsageRecord> = {}): UsageRecord => ({
  id: `req-${i}`, ts: Date.now(), keyId: null, model: 'm', servedModel: 'm', provider: 'p', deployment: 'd', stream: false,
  status: 200, errorCode: null, inputTokens: 10, outputTokens: 20, reasoningTokens: 0, cachedTokens: 0, usageEstimated: false,
  costUsd: 0.001, latencyMs: 1, ttftMs: null, route: 'r', meta: null, ...over,
});

function tempDb(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-writer-'));
  return { dir, path: join(dir, 'switchyard.db') };
}

const count = (path: string, sql: string): number => {
  const db = new Database(path, { readonly: true });
  try { return (db.prepare(sql).get() as { n: number }).n; } finally { db.close(); }
};

test('rows reach the request log and spend; requests that cost nothing are not spend', async () => {
  const { dir, path } = tempDb();
  const writer = SqliteWriter.start({ path, flushIntervalMs: 10 });
  try {
    for (let i = 0; i < 450; i++) writer.push(record(i));
    writer.push(record(450, { status: 502, errorCode: 'upstream_error', inputTokens: 0, outputTokens: 0, costUsd: 0 }));
    await writer.flush();
    assert.equal(count(path, 'SELECT COUNT(*) AS n FROM request_log'), 451);
    assert.equal(count(path, 'SELECT COUNT(*) AS n FROM spend'), 450);
    assert.equal(count(path, "SELECT COUNT(*) AS n FROM request_log WHERE error_code = 'upstream_error' AND status = 502"), 1);
    assert.deepEqual(writer.stats(), { queued: 0, ringBytes: 0, written: 451, dropped: 0, failedWrites: 0, threaded: true });
  } finally {
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a few records reach the file on their own, one flush interval later', async () => {
  const { dir, path } = tempDb();
  const writer = SqliteWriter.start({ path, flushIntervalMs: 20 });
  try {
    await writer.ready; // the file and its tables exist
    for (let i = 0; i < 5; i++) writer.push(record(i)); // far fewer than a batch
    const deadline = Date.now() + 2_000;
    while (count(path, 'SELECT COUNT(*) AS n FROM request_log') < 5 && Date.now() < deadline) await delay(20);
    assert.equal(count(path, 'SELECT COUNT(*) AS n FROM request_log'), 5);
  } finally {
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('records the ring has no room for wait on the event loop; none is lost', async () => {
  const { dir, path } = tempDb();
  const writer = SqliteWriter.start({ path, ringBytes: 8192, flushIntervalMs: 5 });
  try {
    for (let i = 0; i < 2000; i++) writer.push(record(i, { route: `route ${'r'.repeat(i % 100)}` }));
    // One record larger than half the ring: it can never go through it.
    writer.push(record(2000, { meta: JSON.stringify({ note: 'm'.repeat(6000) }) }));
    assert.ok(writer.stats().queued > 0);
    await writer.flush();
    assert.equal(count(path, 'SELECT COUNT(*) AS n FROM request_log'), 2001);
    assert.equal(count(path, 'SELECT COUNT(DISTINCT id) AS n FROM request_log'), 2001);
    assert.equal(count(path, 'SELECT length(meta) AS n FROM request_log WHERE id = \'req-2000\''), 6011);
    assert.equal(writer.stats().written, 2001);
  } finally {
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the thread checkpoints for itself and for adopted connections: the WAL stays small', async () => {
  const { dir, path } = tempDb();
  const writer = SqliteWriter.start({ path, checkpointIntervalMs: 50 });
  const store = await createStore({ sqlitePath: path, checkpointer: writer });
  const other = new Database(path);
  writer.adopt(other);
  try {
    assert.equal(other.pragma('wal_autocheckpoint', { simple: true }), 0);
    // ~12 MB of rows: far past SQLite's 1,000-page (4 MB) auto-checkpoint point.
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 1000; i++) writer.push(record(round * 1000 + i, { meta: 'x'.repeat(2000) }));
      await writer.flush();
      await delay(120); // checkpoints every 50 ms; the next writer then starts the WAL over
    }
    const wal = statSync(`${path}-wal`).size;
    assert.ok(wal < 8 * 1024 * 1024, `WAL is ${wal} bytes: the thread did not checkpoint`);
    assert.equal(count(path, 'SELECT COUNT(*) AS n FROM request_log'), 6000);
  } finally {
    await writer.close();
    assert.equal(other.pragma('wal_autocheckpoint', { simple: true }), 1000, 'closing hands checkpoints back to SQLite');
    other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the writer thread runs at a lower priority than the event loop', { skip: process.platform !== 'linux' && 'thread priorities are read from /proc' }, async () => {
  const { dir, path } = tempDb();
  const writer = SqliteWriter.start({ path, nice: 9 });
  try {
    await writer.ready;
    assert.ok(writer.threadId, 'the thread reported its id');
    const niceOf = (tid: number | string) => Number(readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
    assert.equal(niceOf(writer.threadId!), niceOf(process.pid) + 9);
  } finally {
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a batch that fails is tried again; the flush that waited for it says so', async () => {
  const { dir, path } = tempDb();
  const errors: string[] = [];
  const writer = SqliteWriter.start({ path, retryDelayMs: 50, busyTimeoutMs: 20, onError: (m) => errors.push(m) });
  const db = new Database(path);
  try {
    writer.push(record(0));
    await writer.flush();
    db.exec('BEGIN IMMEDIATE'); // another connection holds the write lock
    for (let i = 1; i <= 3; i++) writer.push(record(i));
    await assert.rejects(writer.flush(), /database is locked/);
    assert.ok(writer.stats().ringBytes > 0, 'the batch stays in the ring');
    db.exec('ROLLBACK');
    await writer.flush(); // the retry
    assert.equal(count(path, 'SELECT COUNT(*) AS n FROM request_log'), 4);
    assert.ok(writer.stats().failedWrites >= 1);
    assert.match(errors[0], /database is locked/);
  } finally {
    db.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * With record 0 pushed: a row SQLite refuses and a good one, then one more batch. The refused row
 * alone is dropped and reported; everything else is written.
 */
async function refusedRowIsDropped(writer: SqliteWriter, path: string, errors: string[]): Promise<void> {
  writer.push(record(1, { costUsd: Number.NaN })); // no cost: NOT NULL refuses it
  writer.push(record(2));
  await writer.flush();
  writer.push(record(3));
  await writer.flush();
  assert.equal(count(path, 'SELECT COUNT(*) AS n FROM request_log'), 3);
  assert.deepEqual({ written: writer.stats().written, dropped: writer.stats().dropped }, { written: 3, dropped: 1 });
  assert.match(errors.join('\n'), /1 request-log row\(s\) refused by SQLite and dropped: NOT NULL constraint failed/);
}

test('a row SQLite refuses is dropped and reported; the rest of its batch and later ones go in', async () => {
  const { dir, path } = tempDb();
  const errors: string[] = [];
  const writer = SqliteWriter.start({ path, onError: (m) => errors.push(m) });
  try {
    writer.push(record(0));
    await refusedRowIsDropped(writer, path, errors);
  } finally {
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a thread that dies loses nothing: its batches and later ones are written on the event loop', async () => {
  const { dir, path } = tempDb();
  const errors: string[] = [];
  // A thread that exits as soon as a batch reaches it, without writing it.
  const writer = SqliteWriter.start({ path, onError: (m) => errors.push(m), workerUrl: new URL('./dying-writer-worker.js', import.meta.url) });
  const other = new Database(path);
  writer.adopt(other);
  try {
    for (let i = 0; i < 10; i++) writer.push(record(i));
    await writer.flush();
    for (let i = 10; i < 15; i++) writer.push(record(i));
    await writer.flush();
    assert.equal(count(path, 'SELECT COUNT(*) AS n FROM request_log'), 15);
    assert.equal(count(path, 'SELECT COUNT(*) AS n FROM spend'), 15);
    assert.equal(writer.stats().threaded, false);
    assert.match(errors.join('\n'), /writer thread stopped/);
    assert.equal(other.pragma('wal_autocheckpoint', { simple: true }), 1000, 'adopted connections checkpoint on commit again');
  } finally {
    other.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('after the thread died, a row SQLite refuses is dropped and reported on the event loop too', async () => {
  const { dir, path } = tempDb();
  const errors: string[] = [];
  const writer = SqliteWriter.start({ path, onError: (m) => errors.push(m), workerUrl: new URL('./dying-writer-worker.js', import.meta.url) });
  try {
    writer.push(record(0));
    await writer.flush(); // the thread died on this batch; it was written here
    assert.equal(writer.stats().threaded, false);
    await refusedRowIsDropped(writer, path, errors);
  } finally {
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an in-memory database has no writer thread', () => {
  assert.throws(() => SqliteWriter.start({ path: ':memory:' }), /database file/);
});
