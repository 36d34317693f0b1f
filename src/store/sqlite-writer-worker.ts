/**
 * The thread behind SqliteWriter: its own connection to the database file, a PASSIVE WAL
 * checkpoint every `intervalMs` (and a last one on close), and the usage rows the event loop
 * leaves in a shared ring (ByteRing), one transaction per batch. It polls the ring instead of
 * being sent messages, so the event loop never waits on it; a batch leaves the ring only once
 * committed, so the ring is also the record of what is not yet written.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { ByteRing } from './byte-ring.js';
import { openSqliteAppender } from './sqlite-open.js';
import { insertSkippingRefused, usageInserter, type LogRow } from './sqlite-usage-tables.js';

export interface WriterData { path: string; intervalMs: number; nice: number; ring: SharedArrayBuffer; retryDelayMs: number; busyTimeoutMs: number }
export type ToWriter = { t: 'close' };
export type FromWriter = { t: 'fail'; seq: number; message: string } | { t: 'skipped'; seq: number; rows: number; message: string } | { t: 'ready'; tid: number | null };

const { path, intervalMs, nice, ring: ringBuffer, retryDelayMs, busyTimeoutMs } = workerData as WriterData;
const port = parentPort!;
const ring = new ByteRing(ringBuffer);

// Disk work never competes with the event loop on equal terms: on Linux a thread's nice value is
// its own, and this thread's writes can wait while a request is being answered.
let tid: number | null = null;
try {
  tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  setPriority(tid, nice);
} catch {
  // not Linux, or not permitted: the same priority as the event loop
}

const db = openSqliteAppender(path, busyTimeoutMs);
// This connection checkpoints on its timer, never inside a commit.
db.pragma('wal_autocheckpoint = 0');
const insert = usageInserter(db, { spend: true });

function checkpoint(): void {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY (another checkpoint is running) or a locked file: the next tick tries again
  }
}

/** How often an empty ring is looked at; rows wait at most this long on top of the flush interval. */
const POLL_MS = 10;
/**
 * Between two batches when more are waiting. The event loop shares a core with this thread when
 * the gateway is pinned to one, and a woken event loop does not always preempt a running thread
 * at once: no burst of this thread's work lasts longer than one small transaction (~0.45 ms for
 * the 64 rows SqliteWriter puts in a batch).
 */
const PAUSE_MS = 1;
let closing = false;

/** Commits the oldest batch; true when it was written (or there was none). */
function commitOne(): boolean {
  const m = ring.peek();
  if (!m) return true;
  let r;
  try {
    r = insertSkippingRefused(insert, JSON.parse(m.text) as LogRow[]);
  } catch (err) {
    // Left in the ring and tried again after a pause; the event loop is told each time.
    port.postMessage({ t: 'fail', seq: m.seq, message: err instanceof Error ? err.message : String(err) } satisfies FromWriter);
    return false;
  }
  ring.release(m.end, m.seq);
  // Released first: the event loop counts the batch as written, then takes the refused rows off.
  if (r.refused) port.postMessage({ t: 'skipped', seq: m.seq, rows: r.refused, message: r.reason } satisfies FromWriter);
  return true;
}

function poll(): void {
  if (closing) return;
  const ok = commitOne();
  setTimeout(poll, !ok ? retryDelayMs : ring.used() > 0 ? PAUSE_MS : POLL_MS);
}

const timer = setInterval(checkpoint, intervalMs);
setTimeout(poll, POLL_MS);
port.on('message', (msg: ToWriter) => {
  if (msg.t !== 'close') return;
  // SqliteWriter.close() waited for the ring to empty; anything left (a failing batch) stays unwritten.
  closing = true;
  clearInterval(timer);
  checkpoint();
  db.close();
  port.close();
});
port.postMessage({ t: 'ready', tid } satisfies FromWriter);
