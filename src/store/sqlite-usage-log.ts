/**
 * The request log on embedded SQLite (WAL). Records are queued in memory and written in one
 * transaction per batch from a timer, so no response ever waits for the disk. The queue is
 * bounded; when it overflows, the oldest records are dropped and counted (`stats().dropped`).
 */
import Database from 'better-sqlite3';
import type { UsageRecord, UsageSink } from './usage-record.js';
import type { BackgroundCheckpointer } from './sqlite-checkpointer.js';
import { openSqlite } from './sqlite-open.js';

export interface SqliteUsageLogOptions {
  path: string;
  flushIntervalMs?: number;
  batchSize?: number;
  maxQueue?: number;
  /** Checkpoints this connection's WAL writes from a worker thread (the server sets it). */
  checkpointer?: BackgroundCheckpointer | null;
}

const COLUMNS = [
  'id', 'ts', 'key_id', 'model', 'served_model', 'provider', 'deployment', 'stream', 'status', 'error_code',
  'input_tokens', 'output_tokens', 'reasoning_tokens', 'cached_tokens', 'usage_estimated', 'cost_usd',
  'latency_ms', 'ttft_ms', 'route', 'meta',
] as const;

export function ensureRequestLogTable(db: Database.Database): void {
  // `id` (the x-request-id) is deliberately not indexed: random UUIDs scatter b-tree pages and
  // multiply WAL writes on the hot path; finding one request is a rare, diagnostic scan.
  db.exec(`CREATE TABLE IF NOT EXISTS request_log (
    id TEXT NOT NULL, ts INTEGER NOT NULL, key_id TEXT, model TEXT NOT NULL, served_model TEXT,
    provider TEXT, deployment TEXT, stream INTEGER NOT NULL, status INTEGER NOT NULL, error_code TEXT,
    input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL, usage_estimated INTEGER NOT NULL, cost_usd REAL NOT NULL,
    latency_ms REAL NOT NULL, ttft_ms REAL, route TEXT, meta TEXT
  );
  CREATE INDEX IF NOT EXISTS request_log_ts ON request_log(ts);
  CREATE INDEX IF NOT EXISTS request_log_key ON request_log(key_id, ts);`);
}

export class SqliteUsageLog implements UsageSink {
  private queue: UsageRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly insert: (rows: UsageRecord[]) => void;
  private dropped = 0;
  private written = 0;
  private maxDelayMs = 0;
  private closed = false;
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxQueue: number;

  constructor(readonly db: Database.Database, opts: Omit<SqliteUsageLogOptions, 'path'> = {}) {
    this.flushIntervalMs = opts.flushIntervalMs ?? 100;
    // Small batches: a 1,000-row transaction blocks the event loop for milliseconds at high rates.
    this.batchSize = opts.batchSize ?? 200;
    this.maxQueue = opts.maxQueue ?? 100_000;
    ensureRequestLogTable(db);
    const stmt = db.prepare(`INSERT INTO request_log (${COLUMNS.join(',')}) VALUES (${COLUMNS.map(() => '?').join(',')})`);
    this.insert = db.transaction((rows: UsageRecord[]) => {
      for (const r of rows) {
        stmt.run(r.id, r.ts, r.keyId, r.model, r.servedModel, r.provider, r.deployment, r.stream ? 1 : 0, r.status,
          r.errorCode, r.inputTokens, r.outputTokens, r.reasoningTokens, r.cachedTokens, r.usageEstimated ? 1 : 0,
          r.costUsd, r.latencyMs, r.ttftMs, r.route, r.meta);
      }
    });
  }

  static open(opts: SqliteUsageLogOptions): SqliteUsageLog {
    const log = new SqliteUsageLog(openSqlite(opts.path), opts);
    opts.checkpointer?.adopt(log.db);
    return log;
  }

  push(record: UsageRecord): void {
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(record);
    if (this.queue.length >= this.batchSize) this.schedule(0);
    else this.schedule(this.flushIntervalMs);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      // One batch per turn of the event loop, so a backlog never stalls requests for long.
      this.writeQueued(1);
      if (this.queue.length) this.schedule(0);
    }, ms);
    this.timer.unref();
  }

  private writeQueued(maxBatches = Infinity): void {
    for (let n = 0; n < maxBatches && this.queue.length; n++) {
      const batch = this.queue.length <= this.batchSize ? this.queue : this.queue.slice(0, this.batchSize);
      this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
      const delay = Date.now() - batch[0].ts;
      if (delay > this.maxDelayMs) this.maxDelayMs = delay;
      this.insert(batch);
      this.written += batch.length;
    }
  }

  async flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    this.writeQueued();
  }

  stats(): { queued: number; written: number; dropped: number; maxDelayMs: number } {
    return { queued: this.queue.length, written: this.written, dropped: this.dropped, maxDelayMs: this.maxDelayMs };
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.db.close();
  }
}
