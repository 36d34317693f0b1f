/**
 * The embedded database's writer thread. Every answered request adds a request-log row (and a
 * spend row) to SQLite; written from the event loop, those inserts cost ~11 µs per request and
 * came in transactions of 0.6–4.7 ms every 100 ms, during which every request that arrived
 * waited. WAL checkpoints, which fsync, were worse (~4 ms). So the server's file database is
 * written by one worker thread that holds its own connection, runs at a lower OS priority than
 * the event loop, inserts each batch in one transaction and checkpoints the WAL (PASSIVE, on a
 * timer). The event loop only queues records and, every `flushIntervalMs`, posts them as flat
 * tuples (~0.6 µs per record).
 *
 * Nothing is lost on the way: a batch stays in memory until the thread reports it committed.
 * If the thread fails or dies, the batches it had not committed and everything after them are
 * written on the event loop instead, and the connections this writer adopted go back to
 * SQLite's own checkpoints. (A batch the thread committed just before dying, without getting
 * its reply out, is then written twice; request ids tell the copies apart.)
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite-open.js';
import { logRow, usageInserter, type LogRow } from './sqlite-usage-tables.js';
import type { UsageRecord, UsageSink } from './usage-record.js';
import type { FromWriter, ToWriter, WriterData } from './sqlite-writer-worker.js';

const AUTOCHECKPOINT_PAGES = 1000; // SQLite's default

export interface SqliteWriterOptions {
  path: string;
  /** How long a record may wait for companions before its batch is posted (default 100 ms). */
  flushIntervalMs?: number;
  batchSize?: number;
  /** Records not yet committed (queued and in flight) past which the oldest queued are dropped and counted. */
  maxQueue?: number;
  checkpointIntervalMs?: number;
  /**
   * The thread's nice value. Default 7: on a core the event loop saturates, the thread still gets
   * ~17% of it, twice what it needs there (measured: ~8%, at ~11 µs of inserts per request).
   */
  nice?: number;
  /** Wait before a failed batch is tried again. */
  retryDelayMs?: number;
  /** Told about failed writes and the thread's death (default: the process log, at most every 10 s). */
  onError?: (message: string) => void;
  /** The thread's script (tests substitute one that fails). */
  workerUrl?: URL;
}

export interface SqliteWriterStats {
  queued: number;
  inFlight: number;
  written: number;
  dropped: number;
  failedWrites: number;
  /** False once the writer thread died and rows are written on the event loop. */
  threaded: boolean;
}

interface Waiter { upTo: number; resolve: () => void; reject: (err: Error) => void; failed: Error | null }

export class SqliteWriter implements UsageSink {
  private queue: UsageRecord[] = [];
  /** Posted batches by id, until the thread says they were committed. */
  private readonly inFlight = new Map<number, LogRow[]>();
  private inFlightRows = 0;
  private seq = 0;
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private retryAt = 0;
  private alive = true;
  private fellBack = false;
  private closed = false;
  private local: ((rows: LogRow[]) => void) | null = null;
  private localDb: Database.Database | null = null;
  private readonly adopted = new Set<Database.Database>();
  private readonly counts = { written: 0, dropped: 0, failedWrites: 0 };
  private lastReport = 0;
  /** The writer thread's id (Linux), once it started; for diagnostics. */
  threadId: number | null = null;
  private started = false;
  readonly ready: Promise<void>;

  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxQueue: number;
  private readonly retryDelayMs: number;

  private constructor(private readonly worker: Worker, private readonly opts: SqliteWriterOptions) {
    this.flushIntervalMs = opts.flushIntervalMs ?? 100;
    this.batchSize = opts.batchSize ?? 200;
    this.maxQueue = opts.maxQueue ?? 100_000;
    this.retryDelayMs = opts.retryDelayMs ?? 1_000;
    let started!: () => void;
    this.ready = new Promise((resolve) => { started = resolve; });
    worker.on('message', (m: FromWriter) => {
      if (m.t !== 'ready') { this.reply(m); return; }
      this.threadId = m.tid;
      this.started = true;
      if (this.inFlight.size === 0) worker.unref();
      started();
    });
    worker.on('error', (err) => this.fallBack(err instanceof Error ? err.message : String(err)));
    worker.on('exit', (code) => { started(); this.fallBack(`the writer thread exited with code ${code}`); });
    // Once started (see 'ready'), not a reason for the process to stay up unless rows are in
    // flight (post); close() waits for it.
  }

  /** A writer thread for the database file at `path` (not `:memory:`, which one connection owns). */
  static start(opts: SqliteWriterOptions): SqliteWriter {
    if (opts.path === ':memory:') throw new Error('SqliteWriter needs a database file, not :memory:');
    const data: WriterData = { path: opts.path, intervalMs: opts.checkpointIntervalMs ?? 250, nice: opts.nice ?? 7 };
    const worker = new Worker(opts.workerUrl ?? new URL('./sqlite-writer-worker.js', import.meta.url), {
      workerData: data,
      // One connection and a timer: a small heap keeps the process's RSS small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 1 },
    });
    return new SqliteWriter(worker, opts);
  }

  /** Stops `db` (another connection to the same file) from checkpointing on commit; this writer's thread checkpoints for it. */
  adopt(db: Database.Database): void {
    this.adopted.add(db);
    if (this.alive) db.pragma('wal_autocheckpoint = 0');
  }

  push(record: UsageRecord): void {
    if (this.queue.length + this.inFlightRows >= this.maxQueue) {
      if (this.queue.length === 0) { this.counts.dropped++; return; }
      this.queue.shift();
      this.counts.dropped++;
    }
    this.queue.push(record);
    this.schedule(this.queue.length >= this.batchSize ? 0 : this.flushIntervalMs);
  }

  /** Posts everything queued; resolves once it is committed (rejects if a batch failed). */
  flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    while (this.queue.length) this.post();
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => { this.waiters.push({ upTo: this.seq, resolve, reject, failed: null }); });
  }

  /** Writes what is left, runs a last checkpoint and stops the thread; adopted connections checkpoint on commit again. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      if (this.timer) { clearTimeout(this.timer); this.timer = null; }
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
    return { queued: this.queue.length, inFlight: this.inFlightRows, ...this.counts, threaded: !this.fellBack };
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) {
      if (ms > 0) return;
      clearTimeout(this.timer); // a full batch goes now, not at the end of the interval
    }
    const wait = Math.max(ms, this.retryAt - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      // One batch per turn of the event loop, so that a backlog never holds it for long.
      this.post();
      if (this.queue.length) this.schedule(0);
    }, wait);
    this.timer.unref();
  }

  /** Sends the next batch to the thread (or, after it died, writes it here). */
  private post(): void {
    const batch = this.queue.length <= this.batchSize ? this.queue : this.queue.slice(0, this.batchSize);
    this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
    if (batch.length === 0) return;
    const rows = batch.map(logRow);
    const id = ++this.seq;
    this.inFlight.set(id, rows);
    this.inFlightRows += rows.length;
    if (!this.alive) { this.writeHere(id); return; }
    // While rows are on their way the process does not exit before they are committed.
    if (this.inFlight.size === 1) this.worker.ref();
    this.worker.postMessage({ t: 'rows', id, rows } satisfies ToWriter);
  }

  private reply(m: Exclude<FromWriter, { t: 'ready' }>): void {
    const rows = this.inFlight.get(m.id);
    if (!rows) return;
    this.inFlight.delete(m.id);
    this.inFlightRows -= rows.length;
    if (this.inFlight.size === 0 && this.alive && this.started) this.worker.unref();
    if (m.t === 'ok') {
      this.counts.written += rows.length;
      this.settle(m.id, null);
      return;
    }
    // Back to the front of the queue, tried again after a pause; flushes waiting for it fail.
    this.counts.failedWrites++;
    this.queue = rows.map(rowRecord).concat(this.queue);
    this.retryAt = Date.now() + this.retryDelayMs;
    this.report(`writing ${rows.length} request-log row(s) failed: ${m.message}`);
    this.settle(m.id, new Error(`writing the request log failed: ${m.message}`));
    this.schedule(this.retryDelayMs);
  }

  /** Waiters up to `id` are done (every earlier batch got its reply already). */
  private settle(id: number, err: Error | null): void {
    if (err) for (const w of this.waiters) if (w.upTo >= id) w.failed ??= err;
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.upTo > id) { keep.push(w); continue; }
      if (w.failed) w.reject(w.failed);
      else w.resolve();
    }
    this.waiters = keep;
  }

  private fallBack(why: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.fellBack = true;
    this.report(`the request-log writer thread stopped (${why}); writing on the event loop from now on`);
    this.checkpointOnCommit();
    for (const id of [...this.inFlight.keys()].sort((a, b) => a - b)) this.writeHere(id);
  }

  private writeHere(id: number): void {
    const rows = this.inFlight.get(id)!;
    try {
      if (!this.local) {
        this.localDb = openSqlite(this.opts.path);
        this.local = usageInserter(this.localDb, { spend: true });
      }
      this.local(rows);
      this.reply({ t: 'ok', id });
    } catch (err) {
      this.reply({ t: 'fail', id, message: err instanceof Error ? err.message : String(err) });
    }
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

/** A row back into a record, for a batch that goes back to the queue. */
function rowRecord(r: LogRow): UsageRecord {
  return {
    id: r[0], ts: r[1], keyId: r[2], model: r[3], servedModel: r[4], provider: r[5], deployment: r[6], stream: r[7] === 1,
    status: r[8], errorCode: r[9], inputTokens: r[10], outputTokens: r[11], reasoningTokens: r[12], cachedTokens: r[13],
    usageEstimated: r[14] === 1, costUsd: r[15], latencyMs: r[16], ttftMs: r[17], route: r[18], meta: r[19],
  };
}
