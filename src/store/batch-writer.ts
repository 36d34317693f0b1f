/**
 * A bounded queue drained by one writer in batches, for everything that must stay off the
 * request path (the request log, spend records). `push` never blocks or throws; past `maxQueue`
 * new items are dropped and counted rather than letting memory grow while a database is down.
 * Items that reach storage later than `delayedAfterMs` after `push` are counted as delayed.
 */
import type { Clock } from './store.js';

export interface BatchWriterOptions<T> {
  write(batch: T[]): Promise<void>;
  batchSize?: number;
  maxQueue?: number;
  /** How long a lone item may wait for companions before it is written. */
  flushIntervalMs?: number;
  delayedAfterMs?: number;
  /** Wait after a failed write before the background retry. */
  retryDelayMs?: number;
  now?: Clock;
  /** Told about failed writes and drops (for the process log); must not throw. */
  onError?: (err: unknown) => void;
}

export interface BatchWriterStats {
  queued: number;
  written: number;
  dropped: number;
  delayed: number;
  failedWrites: number;
}

interface Queued<T> { item: T; pushedAt: number }

export class BatchWriter<T> {
  private queue: Array<Queued<T>> = [];
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

  constructor(private readonly opts: BatchWriterOptions<T>) {
    this.batchSize = opts.batchSize ?? 200;
    this.maxQueue = opts.maxQueue ?? 10_000;
    this.flushIntervalMs = opts.flushIntervalMs ?? 200;
    this.delayedAfterMs = opts.delayedAfterMs ?? 5_000;
    this.retryDelayMs = opts.retryDelayMs ?? 1_000;
    this.now = opts.now ?? Date.now;
  }

  push(item: T): void {
    if (this.closed || this.queue.length >= this.maxQueue) {
      this.counts.dropped += 1;
      if (this.counts.dropped === 1 || this.counts.dropped % 1000 === 0) {
        this.report(new Error(`write queue full or closed: ${this.counts.dropped} item(s) dropped so far`));
      }
      return;
    }
    this.queue.push({ item, pushedAt: this.now() });
    this.schedule(this.queue.length >= this.batchSize ? 0 : this.flushIntervalMs);
  }

  stats(): BatchWriterStats {
    return { queued: this.queue.length, ...this.counts };
  }

  /** Writes everything queued so far; rejects if a write fails (the items stay queued). */
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
      this.flush().catch(() => { if (!this.closed) this.schedule(this.retryDelayMs); });
    }, delayMs);
    // Never keep the process alive just to write; close() flushes on shutdown.
    this.timer.unref();
  }

  private async writeBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.batchSize);
    try {
      await this.opts.write(batch.map((q) => q.item));
    } catch (err) {
      // Put the batch back in front, in order; whatever now overflows the bound is dropped.
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
      // a faulty reporter must not break writing
    }
  }
}
