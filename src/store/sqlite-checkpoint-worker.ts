/**
 * The worker behind BackgroundCheckpointer: its own connection to the database file, a PASSIVE
 * checkpoint every `intervalMs`, and a last one when told to close.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Database(path);

function checkpoint(): void {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY (another checkpoint is running) or a locked file: the next tick tries again
  }
}

const timer = setInterval(checkpoint, intervalMs);
parentPort!.on('message', (msg) => {
  if (msg !== 'close') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort!.close();
});
