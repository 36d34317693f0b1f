/**
 * The request log on Postgres, off the request path: `push` appends to a bounded in-memory queue
 * and returns; a single writer drains it in multi-row INSERTs (one round trip per batch). When
 * Postgres is slow or down the queue fills, and past `maxQueue` new records are dropped rather
 * than letting memory grow without bound; `stats()` counts drops, and records that reached the
 * table later than `delayedAfterMs`, so operators can alert on both.
 */
import type { Clock } from './store.js';
import type { UsageRecord, UsageSink } from './usage-record.js';

/** The slice of pg.Pool the log needs (tests pass a fake). */
export interface SqlRunner { query(text: string, values: unknown[]): Promise<unknown> }

export interface PostgresUsageLogOptions {
  pool: SqlRunner;
  /** Rows per INSERT (20 parameters each; Postgres allows 65,535 per statement). */
  batchSize?: number;
  maxQueue?: number;
  /** How long a lone record may wait for companions before it is written. */
  flushIntervalMs?: number;
  /** A record written later than this after `push` counts as delayed. */
  delayedAfterMs?: number;
  /** Wait after a failed write before retrying. */
  retryDelayMs?: number;
  now?: Clock;
  /** Told about failed writes and drops (for the process log); must not throw. */
  onError?: (err: unknown) => void;
}

export interface UsageLogStats {
  queued: number;
  written: number;
  dropped: number;
  delayed: number;
  failedWrites: number;
}

const COLUMNS = [
  'id', 'ts', 'key_id', 'model', 'served_model', 'provider', 'deployment', 'stream', 'status', 'error_code',
  'input_tokens', 'output_tokens', 'reasoning_tokens', 'cached_tokens', 'usage_estimated', 'cost_usd',
  'latency_ms', 'ttft_ms', 'route', 'meta',
] as const;

const rowValues = (r: UsageRecord): unknown[] => [
  r.id, r.ts, r.keyId, r.model, r.servedModel, r.provider, r.deployment, r.stream, r.status, r.errorCode,
  r.inputTokens, r.outputTokens, r.reasoningTokens, r.cachedTokens, r.usageEstimated, r.costUsd,
  Math.round(r.latencyMs), r.ttftMs === null ? null : Math.round(r.ttftMs), r.route, r.meta,
];

interface Queued { record: UsageRecord; pushedAt: number }

export class PostgresUsageLog implements UsageSink {
  private queue: Queued[] = [];
  private readonly counts = { written: 0, dropped: 0, delayed: 0, failedWrites: 0 };
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private closed = false;
  private readonly batchSize: number;
  private readonly maxQueue: number;
  private readonly flushIntervalMs: number;
  private readonly delayedAfterMs: number;
  private readonly retryDelayMs: number;
  private readonly now: Clock;

  constructor(private readonly opts: PostgresUsageLogOptions) {
    this.batchSize = opts.batchSize ?? 200;
    this.maxQueue = opts.maxQueue ?? 10_000;
    this.flushIntervalMs = opts.flushIntervalMs ?? 200;
    this.delayedAfterMs = opts.delayedAfterMs ?? 5_000;
    this.retryDelayMs = opts.retryDelayMs ?? 1_000;
    this.now = opts.now ?? Date.now;
  }

  push(record: UsageRecord): void {
    if (this.closed || this.queue.length >= this.maxQueue) {
      this.counts.dropped += 1;
      if (this.counts.dropped === 1 || this.counts.dropped % 1000 === 0) {
        this.report(new Error(`usage log queue full or closed: ${this.counts.dropped} record(s) dropped so far`));
      }
      return;
    }
    this.queue.push({ record, pushedAt: this.now() });
    if (this.queue.length >= this.batchSize) this.schedule(0);
    else this.schedule(this.flushIntervalMs);
  }

  stats(): UsageLogStats {
    return { queued: this.queue.length, ...this.counts };
  }

  /** Writes everything queued so far; rejects if a write fails (the records stay queued). */
  async flush(): Promise<void> {
    for (;;) {
      if (this.draining) await this.draining.catch(() => undefined);
      if (this.queue.length === 0) return;
      this.draining = this.writeBatch().finally(() => { this.draining = null; });
      await this.draining;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.draining) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch(() => this.schedule(this.retryDelayMs));
    }, delayMs);
    // Never keep the process alive just to write logs; close() flushes on shutdown.
    this.timer.unref();
  }

  private async writeBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.batchSize);
    const values: unknown[] = [];
    const tuples = batch.map((q, i) => {
      values.push(...rowValues(q.record));
      const base = i * COLUMNS.length;
      return `(${COLUMNS.map((_, j) => `$${base + j + 1}`).join(', ')})`;
    });
    try {
      await this.opts.pool.query(`INSERT INTO request_log (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values);
    } catch (err) {
      // Put the batch back in front, in order; whatever overflows the bound now is dropped.
      this.counts.failedWrites += 1;
      this.queue = batch.concat(this.queue);
      if (this.queue.length > this.maxQueue) this.counts.dropped += this.queue.splice(this.maxQueue).length;
      this.report(err);
      throw err;
    }
    const now = this.now();
    this.counts.written += batch.length;
    for (const q of batch) if (now - q.pushedAt > this.delayedAfterMs) this.counts.delayed += 1;
  }

  private report(err: unknown): void {
    try {
      this.opts.onError?.(err);
    } catch {
      // a faulty reporter must not break logging
    }
  }
}
