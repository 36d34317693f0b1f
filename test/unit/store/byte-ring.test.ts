/**
 * The lock-free ring between the event loop and the SQLite writer thread: messages come out
 * whole and in order across wrap-arounds, a full ring refuses instead of overwriting, and a
 * consumer on another thread sees every message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { ByteRing } from '../../../src/store/byte-ring.js';

test('messages come out whole and in order, across many wrap-arounds, multi-byte text included', () => {
  const ring = new ByteRing(256);
  let seq = 0;
  let next = 0;
  for (let i = 0; i < 500; i++) {
    const text = `${i}:${'é€🚀x'.repeat(i % 9)}`;
    assert.ok(ring.write(text, ++seq), `message ${i} fits`);
    const m = ring.peek()!;
    assert.deepEqual({ text: m.text, seq: m.seq }, { text, seq });
    ring.release(m.end, m.seq);
    next++;
    assert.equal(ring.used(), 0);
  }
  assert.equal(next, 500);
});

test('a full ring refuses a message instead of overwriting, and takes it once space is freed', () => {
  const ring = new ByteRing(128);
  const msg = 'x'.repeat(40); // 48 bytes with its frame
  assert.ok(ring.write(msg, 1));
  assert.ok(ring.write(msg, 2));
  assert.equal(ring.write(msg, 3), false, 'no room for a third');
  assert.equal(ring.write('y'.repeat(100), 4), false, 'larger than half the ring never fits');
  const first = ring.peek()!;
  assert.equal(first.seq, 1);
  ring.release(first.end, first.seq);
  assert.ok(ring.write(msg, 3), 'fits after the first was released (wrapping to the start)');
  const seqs: number[] = [];
  for (let m = ring.peek(); m; m = ring.peek()) { seqs.push(m.seq); assert.equal(m.text, msg); ring.release(m.end, m.seq); }
  assert.deepEqual(seqs, [2, 3]);
});

test('a consumer thread reads every message a producer writes, without locks', async () => {
  const ring = new ByteRing(1024);
  const worker = new Worker(new URL('./byte-ring-consumer.js', import.meta.url), { workerData: { buffer: ring.buffer, count: 2000 } });
  let sent = 0;
  while (sent < 2000) {
    if (ring.write(JSON.stringify({ n: sent, pad: 'p'.repeat(sent % 50) }), sent + 1)) sent++;
    else await new Promise((r) => setImmediate(r));
  }
  const [sum] = await once(worker, 'message') as [number];
  assert.equal(sum, (1999 * 2000) / 2);
  await worker.terminate();
});
