/**
 * The two tables every answered request adds a row to on the embedded database (the request log,
 * and spend for requests that cost something), in one place for the writer thread and the
 * in-thread writers. A record travels to the writer thread as a flat tuple in column order: the
 * structured clone of a tuple costs a third of that of the record object.
 */
import type Database from 'better-sqlite3';
import type { UsageRecord } from './usage-record.js';

export const REQUEST_LOG_DDL = `CREATE TABLE IF NOT EXISTS request_log (
  id TEXT NOT NULL, ts INTEGER NOT NULL, key_id TEXT, model TEXT NOT NULL, served_model TEXT,
  provider TEXT, deployment TEXT, stream INTEGER NOT NULL, status INTEGER NOT NULL, error_code TEXT,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL, usage_estimated INTEGER NOT NULL, cost_usd REAL NOT NULL,
  latency_ms REAL NOT NULL, ttft_ms REAL, route TEXT, meta TEXT
);
CREATE INDEX IF NOT EXISTS request_log_ts ON request_log(ts);
DROP INDEX IF EXISTS request_log_key;`;
// One index, on `ts` (as on PostgreSQL): every index costs the writer on every row, and nothing
// Switchyard runs reads this table; a question about one key or one request is a diagnostic
// query within a time range. `id` (the x-request-id) is deliberately not indexed: random ids
// scatter b-tree pages and multiply WAL writes on every batch. Databases from before keep their
// tables; the index on (key_id, ts) they had is dropped (it cost ~0.9 µs of the writer per row).

export const SPEND_DDL = `CREATE TABLE IF NOT EXISTS spend (
  ts INTEGER NOT NULL, key_id TEXT, model TEXT NOT NULL, provider TEXT,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL);
CREATE INDEX IF NOT EXISTS spend_ts ON spend (ts);
DROP INDEX IF EXISTS spend_key_ts;`;
// The spend summary filters on a time range and, optionally, a key (`? IS NULL OR key_id = ?`):
// SQLite's planner takes spend_ts for it with or without a key, and never took the index on
// (key_id, ts) that spend had, which only cost the writer on every row.

const COLUMNS = [
  'id', 'ts', 'key_id', 'model', 'served_model', 'provider', 'deployment', 'stream', 'status', 'error_code',
  'input_tokens', 'output_tokens', 'reasoning_tokens', 'cached_tokens', 'usage_estimated', 'cost_usd',
  'latency_ms', 'ttft_ms', 'route', 'meta',
] as const;

/** A request-log row: the values of COLUMNS, in order. */
export type LogRow = [
  string, number, string | null, string, string | null, string | null, string | null, number, number, string | null,
  number, number, number, number, number, number, number, number | null, string | null, string | null,
];

export function logRow(r: UsageRecord): LogRow {
  return [r.id, r.ts, r.keyId, r.model, r.servedModel, r.provider, r.deployment, r.stream ? 1 : 0, r.status,
    r.errorCode, r.inputTokens, r.outputTokens, r.reasoningTokens, r.cachedTokens, r.usageEstimated ? 1 : 0,
    r.costUsd, r.latencyMs, r.ttftMs, r.route, r.meta];
}

/** Failed requests that cost nothing and used no tokens are not spend. */
const isSpend = (row: LogRow): boolean => row[15] !== 0 || row[10] !== 0 || row[11] !== 0;

/** SQLite errors a row causes by itself (retrying it cannot help), as opposed to a busy or full disk. */
const ROW_ERRORS = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

/**
 * Writes a batch with `insert`. When SQLite refuses a row of it (a constraint, a type), the batch
 * goes in again row by row and the refused rows are left out, so one bad row never holds back
 * the others: returns how many were left out and the first reason. Any other failure (busy, disk
 * full) is thrown and nothing was written, so the whole batch can be tried again.
 */
export function insertSkippingRefused(insert: (rows: LogRow[]) => void, rows: LogRow[]): { refused: number; reason: string } {
  try {
    insert(rows);
    return { refused: 0, reason: '' };
  } catch (err) {
    if (!ROW_ERRORS.test((err as { code?: string }).code ?? '')) throw err;
  }
  let refused = 0;
  let reason = '';
  for (const row of rows) {
    try { insert([row]); } catch (e) { refused++; reason ||= e instanceof Error ? e.message : String(e); }
  }
  return { refused, reason };
}

/** The spend columns, as request-log columns. */
const SPEND_COLUMNS = 'ts, key_id, model, provider, input_tokens, output_tokens, reasoning_tokens, cached_tokens, cost_usd';
/** isSpend in SQL (the three columns are NOT NULL). */
const SPEND_WHERE = 'cost_usd != 0 OR input_tokens != 0 OR output_tokens != 0';

/**
 * One transaction per batch: every row into the request log and, when `spend` is set, the rows
 * that cost something into spend (the same request's numbers, so the two never disagree).
 *
 * Spend rows are copied from the request-log rows the batch just added (one INSERT … SELECT over
 * their rowids) rather than bound and inserted one by one: 8.0 instead of 10.1 µs of the writer
 * thread's CPU per row. That takes rowids that follow one another, which SQLite gives a rowid
 * table until its largest rowid reaches 2^63 - 1; past that it picks free ones at random, and such
 * a batch's spend rows are inserted one by one as before.
 */
export function usageInserter(db: Database.Database, opts: { spend: boolean }): (rows: LogRow[]) => void {
  db.exec(REQUEST_LOG_DDL);
  if (opts.spend) db.exec(SPEND_DDL);
  const log = db.prepare(`INSERT INTO request_log (${COLUMNS.join(',')}) VALUES (${COLUMNS.map(() => '?').join(',')})`);
  if (!opts.spend) {
    return db.transaction((rows: LogRow[]) => {
      for (const r of rows) log.run(r);
    });
  }
  const copySpend = db.prepare(`INSERT INTO spend (${SPEND_COLUMNS}) SELECT ${SPEND_COLUMNS} FROM request_log
    WHERE rowid BETWEEN ? AND ? AND (${SPEND_WHERE}) ORDER BY rowid`);
  const spendRow = db.prepare(`INSERT INTO spend (${SPEND_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  return db.transaction((rows: LogRow[]) => {
    if (rows.length === 0) return;
    let first = 0;
    let last = 0;
    let consecutive = true;
    for (let i = 0; i < rows.length; i++) {
      const id = Number(log.run(rows[i]).lastInsertRowid);
      if (i === 0) first = id;
      else if (id !== last + 1) consecutive = false;
      last = id;
    }
    if (consecutive) { copySpend.run(first, last); return; }
    for (const r of rows) {
      // ts, key_id, model, provider, input, output, reasoning, cached, cost
      if (isSpend(r)) spendRow.run(r[1], r[2], r[3], r[5], r[10], r[11], r[12], r[13], r[15]);
    }
  });
}
