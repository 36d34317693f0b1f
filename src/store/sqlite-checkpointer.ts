/**
 * WAL checkpoints off the event loop. A checkpoint copies the WAL into the database file and
 * fsyncs both; run from a commit on the server's thread (SQLite's auto-checkpoint) that fsync
 * blocked the event loop for ~4 ms about once a second at 1,000 req/s, which was the whole p99
 * tail of the gateway. The server's connections therefore turn auto-checkpointing off and one
 * worker thread per database file runs PASSIVE checkpoints on a timer: PASSIVE never waits for
 * (or blocks) writers, so the request path only ever appends to the WAL.
 *
 * If the worker cannot start or dies, the adopted connections go back to SQLite's own
 * auto-checkpoint, so the WAL can never grow without bound.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

const AUTOCHECKPOINT_PAGES = 1000; // SQLite's default

export class BackgroundCheckpointer {
  private readonly dbs = new Set<Database.Database>();
  private alive = true;

  private constructor(private readonly worker: Worker) {
    const fallBack = (why: string) => {
      if (!this.alive) return;
      this.alive = false;
      console.error(`switchyard: background WAL checkpoints stopped (${why}); SQLite checkpoints on commit again`);
      this.checkpointOnCommit();
    };
    worker.on('error', (err) => fallBack(err instanceof Error ? err.message : String(err)));
    worker.on('exit', (code) => fallBack(`worker exited with code ${code}`));
    // Never the reason the process stays up; close() stops it on shutdown.
    worker.unref();
  }

  /** One checkpointing worker for the database file at `path` (null for `:memory:`). */
  static start(path: string, intervalMs = 250): BackgroundCheckpointer | null {
    if (path === ':memory:') return null;
    const worker = new Worker(new URL('./sqlite-checkpoint-worker.js', import.meta.url), {
      workerData: { path, intervalMs },
      // It holds one connection and a timer; keep its heap (and the process's RSS) small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 1 },
    });
    return new BackgroundCheckpointer(worker);
  }

  /** The adopted connections go back to SQLite's own checkpoints. */
  private checkpointOnCommit(): void {
    for (const db of this.dbs) if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }

  /** Stops `db` from checkpointing on commit; the worker checkpoints for it. */
  adopt(db: Database.Database): void {
    this.dbs.add(db);
    if (this.alive) db.pragma('wal_autocheckpoint = 0');
  }

  /** Last checkpoint, then the worker ends; adopted connections checkpoint on commit again. */
  async close(): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    this.checkpointOnCommit();
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref(); // the process waits for this last checkpoint
    this.worker.postMessage('close');
    await exited;
  }
}
