/**
 * The embedded database's writer thread. Every answered request adds a request-log row (and a
 * spend row) to SQLite; written from the event loop, those inserts cost ~11 µs per request and
 * came in transactions of 0.6–4.7 ms every 100 ms, during which every request that arrived
 * waited; WAL checkpoints, which fsync, were worse (~4 ms). So the server's file database is
 * written by one worker thread that holds its own connection, runs at a lower OS priority than
 * the event loop, commits small batches and checkpoints the WAL (PASSIVE, on a timer).
 *
 * The event loop queues records and, every `flushIntervalMs` or `batchSize` records, writes them
 * as JSON into a shared ring (ByteRing, ~1 µs a record). It never takes a lock the thread also
 * takes: with a MessagePort it did, and on a core shared with the thread, `postMessage` waited
 * 1–5 ms in ~3% of posts.
 *
 * Nothing is lost on the way: a batch stays in the ring until the thread committed it. If the
 * thread dies, the event loop reads what is left from the ring and writes it itself, and from
 * then on writes on the event loop; the connections this writer adopted go back to SQLite's own
 * checkpoints. A batch that fails to commit stays in the ring and is tried again.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { ByteRing } from './byte-ring.js';
import { openSqliteAppender } from './sqlite-open.js';
import { insertSkippingRefused, logRow, usageInserter, type LogRow } from './sqlite-usage-tables.js';
import type { UsageRecord, UsageSink } from './usage-record.js';
import type { FromWriter, ToWriter, WriterData } from './sqlite-writer-worker.js';

const AUTOCHECKPOINT_PAGES = 1000; // SQLite's default

export interface SqliteWriterOptions {
  path: string;
  /** How long a record may wait for companions before its batch goes to the thread (default 100 ms). */
  flushIntervalMs?: number;
  /** Rows per batch, i.e. per transaction of the thread (default 64: ~0.45 ms of its CPU each; smaller ones cost more WAL writes per row). */
  batchSize?: number;
  /** Records queued on the event loop (when the ring is full) past which the oldest are dropped and counted. */
  maxQueue?: number;
  /** Bytes of the shared ring (a power of two; default 2 MB, ~6,000 records). */
  ringBytes?: number;
  checkpointIntervalMs?: number;
  /**
   * The thread's nice value. Default 7: on a core the event loop saturates, the thread still gets
   * ~17% of it, twice what it needs there (measured: ~8%, at ~11 µs of inserts per request).
   */
  nice?: number;
  /** Wait before a failed batch is tried again. */
  retryDelayMs?: number;
  /** How long the thread waits for another connection's write lock (the CLI, an admin write) before a batch fails and is retried. */
  busyTimeoutMs?: number;
  /** Told about failed writes and the thread's death (default: the process log, at most every 10 s). */
  onError?: (message: string) => void;
  /** The thread's script (tests substitute one that fails). */
  workerUrl?: URL;
}

export interface SqliteWriterStats {
  /** Records waiting on the event loop (the ring was full). */
  queued: number;
  /** Bytes in the ring not yet committed. */
  ringBytes: number;
  written: number;
  dropped: number;
  failedWrites: number;
  /** False once the writer thread died and rows are written on the event loop. */
  threaded: boolean;
}

/** A flush: done once `target` records are written or dropped; fails on a failure after `failures`. */
interface Waiter { target: number; failures: number; resolve: () => void; reject: (err: Error) => void }

/** How often flush() looks whether the thread got through the ring. */
const FLUSH_POLL_MS = 2;
const DEFAULT_RETRY_DELAY_MS = 1_000;

export class SqliteWriter implements UsageSink {
  private queue: UsageRecord[] = [];
  private readonly ring: ByteRing;
  private seq = 0;
  /** Rows per batch in the ring, by sequence number, until counted as written. */
  private readonly sizes = new Map<number, number>();
  /** Records pushed so far; a flush waits until as many are written or dropped. */
  private pushed = 0;
  private waiters: Waiter[] = [];
  private waitTimer: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** The oldest batch not committed failed (it is tried again); flushes reject meanwhile. */
  private failed: { seq: number; err: Error } | null = null;
  private alive = true;
  private closed = false;
  /** After the thread died: batches not yet written here, oldest first. */
  private backlog: Array<{ seq: number; rows: LogRow[] }> | null = null;
  private local: ((rows: LogRow[]) => void) | null = null;
  private localDb: Database.Database | null = null;
  private readonly adopted = new Set<Database.Database>();
  private readonly counts = { written: 0, dropped: 0, failedWrites: 0 };
  private lastReport = 0;
  /** The writer thread's id (Linux), once it started; for diagnostics. */
  threadId: number | null = null;
  readonly ready: Promise<void>;

  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxQueue: number;

  private constructor(private readonly worker: Worker, ring: ByteRing, private readonly opts: SqliteWriterOptions) {
    this.ring = ring;
    this.flushIntervalMs = opts.flushIntervalMs ?? 100;
    this.batchSize = opts.batchSize ?? 64;
    this.maxQueue = opts.maxQueue ?? 100_000;
    let started!: () => void;
    this.ready = new Promise((resolve) => { started = resolve; });
    worker.on('message', (m: FromWriter) => {
      if (m.t === 'fail') { this.failure(m.seq, m.message); return; }
      if (m.t === 'skipped') {
        // The thread released the batch before saying so: counted as written, less the rows SQLite refused.
        this.countReleased();
        this.refused(m.rows, m.message);
        return;
      }
      this.threadId = m.tid;
      // Started: from now on not a reason for the process to stay up (flush and close wait for it).
      worker.unref();
      started();
    });
    worker.on('error', (err) => this.fallBack(err instanceof Error ? err.message : String(err)));
    worker.on('exit', (code) => { started(); this.fallBack(`the writer thread exited with code ${code}`); });
  }

  /** A writer thread for the database file at `path` (not `:memory:`, which one connection owns). */
  static start(opts: SqliteWriterOptions): SqliteWriter {
    if (opts.path === ':memory:') throw new Error('SqliteWriter needs a database file, not :memory:');
    const ring = new ByteRing(opts.ringBytes ?? 2 * 1024 * 1024);
    const data: WriterData = {
      path: opts.path, intervalMs: opts.checkpointIntervalMs ?? 250, nice: opts.nice ?? 7,
      ring: ring.buffer, retryDelayMs: opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, busyTimeoutMs: opts.busyTimeoutMs ?? 5_000,
    };
    const worker = new Worker(opts.workerUrl ?? new URL('./sqlite-writer-worker.js', import.meta.url), {
      workerData: data,
      // One connection and a timer: a small heap keeps the process's RSS small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 1 },
    });
    return new SqliteWriter(worker, ring, opts);
  }

  /** Stops `db` (another connection to the same file) from checkpointing on commit; this writer's thread checkpoints for it. */
  adopt(db: Database.Database): void {
    this.adopted.add(db);
    if (this.alive) db.pragma('wal_autocheckpoint = 0');
  }

  push(record: UsageRecord): void {
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.counts.dropped++;
    }
    this.pushed++;
    this.queue.push(record);
    this.schedule(this.queue.length >= this.batchSize ? 0 : this.flushIntervalMs);
  }

  /** Hands over everything queued; resolves once it is committed (rejects when a batch it waits for fails). */
  flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    return new Promise((resolve, reject) => {
      this.waiters.push({ target: this.pushed, failures: this.counts.failedWrites, resolve, reject });
      this.checkWaiters();
    });
  }

  /** Writes what is left, runs a last checkpoint and stops the thread; adopted connections checkpoint on commit again. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      if (this.timer) { clearTimeout(this.timer); this.timer = null; }
      if (this.waitTimer) { clearTimeout(this.waitTimer); this.waitTimer = null; }
      if (this.alive) {
        this.alive = false;
        const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
        this.worker.ref(); // the process waits for this last checkpoint
        this.worker.postMessage({ t: 'close' } satisfies ToWriter);
        await exited;
      }
      this.checkpointOnCommit();
      this.localDb?.close();
    }
  }

  stats(): SqliteWriterStats {
    this.countReleased();
    return { queued: this.queue.length, ringBytes: this.ring.used(), ...this.counts, threaded: this.backlog === null };
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) {
      if (ms > 0) return;
      clearTimeout(this.timer); // a full batch goes now, not at the end of the interval
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.handOver();
      if (this.queue.length) this.schedule(this.flushIntervalMs); // the ring was full
    }, ms);
    this.timer.unref();
  }

  /** Moves the queued records to the thread in batches, or writes them here once it died. */
  private handOver(): void {
    this.countReleased();
    if (this.backlog && !this.writeBacklog()) return;
    let n = this.batchSize;
    while (this.queue.length > 0) {
      n = Math.min(n, this.queue.length);
      const rows: LogRow[] = new Array(n);
      for (let i = 0; i < n; i++) rows[i] = logRow(this.queue[i]);
      const seq = this.seq + 1;
      if (this.backlog) {
        this.backlog.push({ seq, rows });
        this.sizes.set(seq, n);
      } else if (this.ring.write(JSON.stringify(rows), seq)) {
        this.sizes.set(seq, n);
      } else {
        if (this.ring.used() > 0) return; // full: the records wait here until the thread catches up
        if (n > 1) { n = Math.ceil(n / 2); continue; } // larger than the ring takes: smaller batches
        // One record larger than half the ring (a huge meta field): written here.
        if (!this.writeHere(rows, seq)) return; // stays queued, tried again
        this.counts.written += n;
      }
      this.seq = seq;
      this.queue = n === this.queue.length ? [] : this.queue.slice(n);
      if (this.backlog && !this.writeBacklog()) return;
      n = this.batchSize;
    }
  }

  /** Counts the batches committed since the last look. */
  private countReleased(): void {
    if (this.sizes.size === 0) return;
    const done = this.backlog ? (this.backlog[0]?.seq ?? this.seq + 1) - 1 : this.ring.releasedSeq();
    for (const [seq, n] of this.sizes) {
      if (seq > done) break;
      this.counts.written += n;
      this.sizes.delete(seq);
      if (this.failed && this.failed.seq <= seq) this.failed = null;
    }
  }

  /** Settles flush() calls: once the records pushed before each were written (or dropped), or while a batch fails. */
  private checkWaiters(): void {
    if (this.waitTimer) { clearTimeout(this.waitTimer); this.waitTimer = null; }
    if (this.waiters.length === 0) return;
    this.handOver();
    this.countReleased();
    const accounted = this.counts.written + this.counts.dropped;
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.target <= accounted) w.resolve();
      else if (this.failed && this.counts.failedWrites > w.failures) w.reject(this.failed.err);
      else keep.push(w);
    }
    this.waiters = keep;
    // Looked at again shortly; this timer keeps the process up until the rows are committed.
    if (keep.length) this.waitTimer = setTimeout(() => this.checkWaiters(), FLUSH_POLL_MS);
  }

  private failure(seq: number, message: string): void {
    this.counts.failedWrites++;
    this.failed = { seq, err: new Error(`writing the request log failed: ${message}`) };
    this.report(`writing a batch of request-log rows failed (tried again): ${message}`);
    // The flushes this failure concerns fail now (not through checkWaiters, which would hand
    // over, and after the thread died write, again).
    const err = this.failed.err;
    this.waiters = this.waiters.filter((w) => {
      if (this.counts.failedWrites <= w.failures) return true;
      w.reject(err);
      return false;
    });
  }

  private fallBack(why: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.report(`the request-log writer thread stopped (${why}); writing on the event loop from now on`);
    this.checkpointOnCommit();
    // What the thread had not committed is still in the ring.
    this.backlog = [];
    for (let m = this.ring.peek(); m; m = this.ring.peek()) {
      this.backlog.push({ seq: m.seq, rows: JSON.parse(m.text) as LogRow[] });
      this.ring.release(m.end, m.seq);
    }
    this.writeBacklog();
    this.checkWaiters();
  }

  /** Writes the backlog here, oldest first; false when a batch failed (it stays, to be tried again). */
  private writeBacklog(): boolean {
    const b = this.backlog!;
    while (b.length) {
      if (!this.writeHere(b[0].rows, b[0].seq)) return false;
      b.shift();
    }
    this.countReleased();
    return true;
  }

  /** One batch written on the event loop; false (reported, retried later) when it failed. */
  private writeHere(rows: LogRow[], seq: number): boolean {
    try {
      if (!this.local) {
        this.localDb = openSqliteAppender(this.opts.path);
        this.local = usageInserter(this.localDb, { spend: true });
      }
      const r = insertSkippingRefused(this.local, rows);
      // The batch is counted as written by the caller; the refused rows are taken off now.
      if (r.refused) this.refused(r.refused, r.reason);
      return true;
    } catch (err) {
      this.failure(seq, err instanceof Error ? err.message : String(err));
      if (!this.timer) this.schedule(this.opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS);
      return false;
    }
  }

  /** `rows` of a batch counted as written were refused by SQLite: dropped, and reported. */
  private refused(rows: number, reason: string): void {
    this.counts.written -= rows;
    this.counts.dropped += rows;
    this.report(`${rows} request-log row(s) refused by SQLite and dropped: ${reason}`);
  }

  private checkpointOnCommit(): void {
    for (const db of this.adopted) if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }

  private report(message: string): void {
    if (this.opts.onError) { try { this.opts.onError(message); } catch { /* a faulty reporter must not break writing */ } return; }
    const now = Date.now();
    if (now - this.lastReport < 10_000) return;
    this.lastReport = now;
    console.error(`switchyard: ${message}`);
  }
}
