/**
 * The thread behind SqliteWriter: its own connection to the database file, one transaction per
 * batch of usage rows, and a PASSIVE WAL checkpoint every `intervalMs` (and a last one on close).
 * Messages are handled in the order they were posted, so a reply to a batch also means every
 * earlier batch was handled.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './sqlite-open.js';
import { usageInserter, type LogRow } from './sqlite-usage-tables.js';

export interface WriterData { path: string; intervalMs: number; nice: number }
export type ToWriter = { t: 'rows'; id: number; rows: LogRow[] } | { t: 'close' };
export type FromWriter = { t: 'ok'; id: number } | { t: 'fail'; id: number; message: string } | { t: 'ready'; tid: number | null };

const { path, intervalMs, nice } = workerData as WriterData;
const port = parentPort!;

// Disk work never competes with the event loop on equal terms: on Linux a thread's nice value is
// its own, and this thread's writes can wait while a request is being answered.
let tid: number | null = null;
try {
  tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  setPriority(tid, nice);
} catch {
  // not Linux, or not permitted: the same priority as the event loop
}

const db = openSqlite(path);
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

const timer = setInterval(checkpoint, intervalMs);
port.on('message', (msg: ToWriter) => {
  if (msg.t === 'rows') {
    let reply: FromWriter;
    try {
      insert(msg.rows);
      reply = { t: 'ok', id: msg.id };
    } catch (err) {
      reply = { t: 'fail', id: msg.id, message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
    return;
  }
  clearInterval(timer);
  checkpoint();
  db.close();
  port.close();
});
port.postMessage({ t: 'ready', tid } satisfies FromWriter);
