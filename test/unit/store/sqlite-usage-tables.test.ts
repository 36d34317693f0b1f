/**
 * The batch insert behind every SQLite usage log: spend rows are copied from the request-log rows
 * the batch added, by rowid range, and equal what inserting them one by one gave: same values,
 * same order, only the rows that cost something, nothing from earlier batches; and when SQLite
 * hands out rowids that do not follow one another, the row-by-row path gives the same table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { logRow, usageInserter, type LogRow } from '../../../src/store/sqlite-usage-tables.js';
import type { UsageRecord } from '../../../src/store/usage-record.js';

const record = (i: number, over: Partial<UsageRecord> = {}): UsageRecord => ({
  id: `req-${i}`, ts: 1_700_000_000_000 + i, keyId: i % 3 === 0 ? null : `key-${i % 3}`, model: `m${i % 2}`, servedModel: 'm',
  provider: `p${i % 4}`, deployment: 'd', stream: i % 2 === 0, status: 200, errorCode: null, inputTokens: 10 + i,
  outputTokens: 20 + i, reasoningTokens: i % 5, cachedTokens: i % 7, usageEstimated: false, costUsd: 0.001 * i,
  latencyMs: 1, ttftMs: null, route: 'r', meta: null, ...over,
});

/** Rows that are spend by each of its three columns alone, and rows that are not. */
function batch(from: number, n: number): LogRow[] {
  const rows: LogRow[] = [];
  for (let i = from; i < from + n; i++) {
    const kind = i % 5;
    const over: Partial<UsageRecord> = kind === 0 ? { inputTokens: 0, outputTokens: 0, costUsd: 0, status: 502, errorCode: 'upstream_error' }
      : kind === 1 ? { inputTokens: 0, outputTokens: 0 } // costs something, no tokens (a flat price)
        : kind === 2 ? { outputTokens: 0, costUsd: 0 } // input only, a free model
          : kind === 3 ? { inputTokens: 0, costUsd: 0 } // output only
            : {};
    rows.push(logRow(record(i, over)));
  }
  return rows;
}

const SPEND = 'SELECT ts, key_id, model, provider, input_tokens, output_tokens, reasoning_tokens, cached_tokens, cost_usd FROM spend ORDER BY rowid';

/** What spend must hold after `rows`: the spend rows, one by one, in order. */
function expectedSpend(rows: LogRow[]): unknown[] {
  return rows
    .filter((r) => r[15] !== 0 || r[10] !== 0 || r[11] !== 0)
    .map((r) => ({ ts: r[1], key_id: r[2], model: r[3], provider: r[5], input_tokens: r[10], output_tokens: r[11], reasoning_tokens: r[12], cached_tokens: r[13], cost_usd: r[15] }));
}

test('spend gets the batch\'s rows that cost something, copied from the request log, and no earlier ones', () => {
  const db = new Database(':memory:');
  const insert = usageInserter(db, { spend: true });
  const all: LogRow[] = [];
  for (let b = 0; b < 5; b++) {
    const rows = batch(b * 13, 13);
    insert(rows);
    all.push(...rows);
    assert.deepEqual(db.prepare(SPEND).all(), expectedSpend(all), `after batch ${b}`);
  }
  insert([]); // an empty batch adds nothing
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM request_log').get() as { n: number }).n, 65);
  assert.deepEqual(db.prepare(SPEND).all(), expectedSpend(all));
  // 65 rows, 13 of them (kind 0) not spend
  assert.equal(expectedSpend(all).length, 52);
  db.close();
});

test('rowids that do not follow one another: spend rows inserted one by one, the same table', () => {
  const db = new Database(':memory:');
  const insert = usageInserter(db, { spend: true });
  const first = batch(0, 6);
  insert(first);
  // A request-log row at the largest rowid: SQLite now picks free rowids at random, and a range
  // between the batch's first and last would take in rows of other batches.
  db.prepare(`INSERT INTO request_log (rowid, id, ts, model, stream, status, input_tokens, output_tokens, reasoning_tokens,
    cached_tokens, usage_estimated, cost_usd, latency_ms) VALUES (9223372036854775807, 'edge', 1, 'm', 0, 200, 5, 5, 0, 0, 0, 1, 1)`).run();
  const rows = batch(100, 40);
  insert(rows);
  const ids = (db.prepare('SELECT rowid AS r FROM request_log WHERE id LIKE \'req-1__\' ORDER BY rowid').all() as { r: number | bigint }[]).map((x) => BigInt(x.r));
  assert.equal(ids.length, 40);
  assert.deepEqual(db.prepare(SPEND).all(), expectedSpend([...first, ...rows]));
  db.close();
});

test('a usage log without spend only writes the request log', () => {
  const db = new Database(':memory:');
  const insert = usageInserter(db, { spend: false });
  insert(batch(0, 10));
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM request_log').get() as { n: number }).n, 10);
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM sqlite_master WHERE name = \'spend\'').get() as { n: number }).n, 0);
  db.close();
});

test('each table keeps one index, on ts: a database from before loses the two on (key_id, ts) and keeps its rows', () => {
  const db = new Database(':memory:');
  // The tables and indexes as earlier versions created them, with a row in each.
  db.exec(`CREATE TABLE request_log (
    id TEXT NOT NULL, ts INTEGER NOT NULL, key_id TEXT, model TEXT NOT NULL, served_model TEXT,
    provider TEXT, deployment TEXT, stream INTEGER NOT NULL, status INTEGER NOT NULL, error_code TEXT,
    input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL, usage_estimated INTEGER NOT NULL, cost_usd REAL NOT NULL,
    latency_ms REAL NOT NULL, ttft_ms REAL, route TEXT, meta TEXT);
    CREATE INDEX request_log_ts ON request_log(ts);
    CREATE INDEX request_log_key ON request_log(key_id, ts);
    CREATE TABLE spend (ts INTEGER NOT NULL, key_id TEXT, model TEXT NOT NULL, provider TEXT,
      input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
      cached_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL);
    CREATE INDEX spend_ts ON spend (ts);
    CREATE INDEX spend_key_ts ON spend (key_id, ts);`);
  const old = batch(0, 5);
  usageInserter(db, { spend: true })(old);
  const indexes = () => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  assert.deepEqual(indexes(), ['request_log_ts', 'spend_ts']);
  usageInserter(db, { spend: true })(batch(5, 5));
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM request_log').get() as { n: number }).n, 10);
  assert.deepEqual(db.prepare(SPEND).all(), expectedSpend([...old, ...batch(5, 5)]));
  // A per-key spend summary over a time range still finds its rows through an index.
  const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT COUNT(*) FROM spend WHERE ts >= ? AND ts < ? AND (? IS NULL OR key_id = ?)`)
    .all(1_700_000_000_003, 1_700_000_000_006, 'key-1', 'key-1') as Array<{ detail: string }>;
  assert.ok(plan.some((p) => p.detail.includes('USING INDEX spend_ts')), JSON.stringify(plan));
  db.close();
});
