/**
 * The consumer side of byte-ring.test.ts: polls the ring, checks the messages arrive in order,
 * and posts the sum of their numbers once it has read `count` of them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ByteRing } from '../../../src/store/byte-ring.js';

const { buffer, count } = workerData as { buffer: SharedArrayBuffer; count: number };
const ring = new ByteRing(buffer);
let seen = 0;
let sum = 0;
const poll = (): void => {
  for (let m = ring.peek(); m; m = ring.peek()) {
    const { n } = JSON.parse(m.text) as { n: number };
    if (n !== seen || m.seq !== seen + 1) throw new Error(`expected message ${seen}, got ${n} (seq ${m.seq})`);
    sum += n;
    seen++;
    ring.release(m.end, m.seq);
  }
  if (seen === count) parentPort!.postMessage(sum);
  else setImmediate(poll);
};
poll();
