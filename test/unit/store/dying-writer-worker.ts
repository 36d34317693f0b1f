/**
 * A stand-in for the SQLite writer thread that dies on the first batch it is sent, without
 * writing it or answering (used by sqlite-writer.test.ts).
 */
import { parentPort } from 'node:worker_threads';

parentPort!.postMessage({ t: 'ready', tid: null });
parentPort!.on('message', (msg: { t: string }) => {
  if (msg.t === 'rows') process.exit(3);
});
