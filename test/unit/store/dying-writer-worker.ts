/**
 * A stand-in for the SQLite writer thread that dies as soon as a batch reaches it, without
 * writing it (used by sqlite-writer.test.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ByteRing } from '../../../src/store/byte-ring.js';

const ring = new ByteRing((workerData as { ring: SharedArrayBuffer }).ring);
parentPort!.postMessage({ t: 'ready', tid: null });
setInterval(() => { if (ring.used() > 0) process.exit(3); }, 5);
