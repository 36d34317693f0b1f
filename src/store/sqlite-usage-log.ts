/**
 * The request log on embedded SQLite (WAL), written on the calling thread: records are queued in
 * memory and written in one transaction per batch from a timer, so no response ever waits for
 * the disk. The queue is bounded; when it overflows, the oldest records are dropped and counted
 * (`stats().dropped`). The server writes a database file from a thread of its own instead
 * (SqliteWriter); this serves `:memory:` databases and embedders.
 */
import Database from 'better-sqlite3';
import type { UsageRecord, UsageSink } from './usage-record.js';
import { openSqliteAppender } from './sqlite-open.js';
import { logRow, usageInserter } from './sqlite-usage-tables.js';

export interface SqliteUsageLogOptions {
  path: string;
  flushIntervalMs?: number;
  batchSize?: number;
  maxQueue?: number;
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
    const insert = usageInserter(db, { spend: false });
    this.insert = (rows) => insert(rows.map(logRow));
  }

  static open(opts: SqliteUsageLogOptions): SqliteUsageLog {
    return new SqliteUsageLog(openSqliteAppender(opts.path), opts);
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
