import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { migratePostgres } from '../../../src/store/postgres-schema.js';
import { PostgresUsageLog, type SqlRunner } from '../../../src/store/postgres-usage-log.js';
import type { UsageRecord } from '../../../src/store/usage-record.js';
import { probePostgres, skipUnlessReachable, testPgUrl, throwawayDatabase } from '../../helpers/services.js';

const record = (i: number): UsageRecord => ({
  id: `req-${i}`, ts: 1_700_000_000_000 + i, keyId: i % 2 ? 'k1' : null, model: 'gpt-oss-20b', servedModel: 'gpt-oss-20b',
  provider: 'groq', deployment: 'openai/gpt-oss-20b', stream: i % 3 === 0, status: 200, errorCode: null,
  inputTokens: 100, outputTokens: 20, reasoningTokens: 5, cachedTokens: 0, usageEstimated: false, costUsd: 0.0001,
  latencyMs: 123.4, ttftMs: i % 3 === 0 ? 40 : null, route: 'cheapest', meta: null,
});

/** A fake pool that records statements and can be made to fail or to hang until released. */
class FakePool implements SqlRunner {
  statements: Array<{ rows: number }> = [];
  failNext = 0;
  gate: Promise<void> | null = null;
  async query(text: string, values: unknown[]): Promise<unknown> {
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('connection reset');
    }
    assert.match(text, /^INSERT INTO request_log \(/);
    this.statements.push({ rows: values.length / 20 });
    return {};
  }
}

describe('PostgresUsageLog', () => {
  test('writes in multi-row batches of at most batchSize', async () => {
    const pool = new FakePool();
    const log = new PostgresUsageLog({ pool, batchSize: 200 });
    for (let i = 0; i < 450; i++) log.push(record(i));
    await log.flush();
    assert.deepEqual(pool.statements.map((s) => s.rows), [200, 200, 50]);
    assert.deepEqual(log.stats(), { queued: 0, written: 450, dropped: 0, delayed: 0, failedWrites: 0 });
  });

  test('a full queue drops new records and counts them instead of growing', async () => {
    const pool = new FakePool();
    let open!: () => void;
    pool.gate = new Promise((r) => { open = r; });
    const errors: unknown[] = [];
    const log = new PostgresUsageLog({ pool, batchSize: 10, maxQueue: 50, onError: (e) => errors.push(e) });
    const flushing = log.flush(); // nothing queued yet: resolves at once
    await flushing;
    for (let i = 0; i < 80; i++) log.push(record(i)); // push never blocks, never throws
    assert.equal(log.stats().dropped, 30);
    assert.equal(log.stats().queued, 50);
    assert.equal(errors.length, 1, 'the first drop is reported');
    pool.gate = null;
    open();
    await log.flush();
    assert.equal(log.stats().written, 50);
  });

  test('a failed write keeps the records queued, retries, and counts them as delayed', async () => {
    const pool = new FakePool();
    let t = 0;
    const log = new PostgresUsageLog({ pool, batchSize: 100, delayedAfterMs: 5_000, now: () => t });
    for (let i = 0; i < 5; i++) log.push(record(i));
    pool.failNext = 1;
    await assert.rejects(log.flush(), /connection reset/);
    assert.deepEqual(log.stats(), { queued: 5, written: 0, dropped: 0, delayed: 0, failedWrites: 1 });
    t = 6_000;
    await log.flush();
    assert.deepEqual(log.stats(), { queued: 0, written: 5, dropped: 0, delayed: 5, failedWrites: 1 });
  });

  test('after close, pushes are dropped (and counted)', async () => {
    const log = new PostgresUsageLog({ pool: new FakePool() });
    log.push(record(1));
    await log.close();
    log.push(record(2));
    assert.deepEqual(log.stats(), { queued: 0, written: 1, dropped: 1, delayed: 0, failedWrites: 0 });
  });
});

const skip = skipUnlessReachable('postgres', testPgUrl, await probePostgres());

test('PostgresUsageLog on a real Postgres: every field lands in request_log', { skip }, async () => {
  const db = await throwawayDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    await migratePostgres(pool);
    const log = new PostgresUsageLog({ pool, batchSize: 64 });
    for (let i = 0; i < 300; i++) log.push(record(i));
    await log.close();
    const { rows } = await pool.query('SELECT COUNT(*)::int AS n, SUM(input_tokens)::int AS input FROM request_log');
    assert.deepEqual(rows[0], { n: 300, input: 30_000 });
    const one = await pool.query("SELECT * FROM request_log WHERE id = 'req-3'");
    assert.deepEqual({ ...one.rows[0] }, {
      id: 'req-3', ts: '1700000000003', key_id: 'k1', model: 'gpt-oss-20b', served_model: 'gpt-oss-20b', provider: 'groq',
      deployment: 'openai/gpt-oss-20b', stream: true, status: 200, error_code: null, input_tokens: '100',
      output_tokens: '20', reasoning_tokens: '5', cached_tokens: '0', usage_estimated: false, cost_usd: 0.0001,
      latency_ms: 123, ttft_ms: 40, route: 'cheapest', meta: null,
    });
  } finally {
    await pool.end();
    await db.drop();
  }
});
