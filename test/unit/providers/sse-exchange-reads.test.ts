/**
 * How the stream reader decodes a socket read: undici hands it one view per HTTP chunk into the
 * read's buffer, and a read that is ASCII from a chunk on is decoded once for all its chunks.
 * Whatever the read holds (non-ASCII text, a character split across reads, a buffer used again
 * for the next read), the parts are those of decoding every chunk on its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseExchange } from '../../../src/providers/upstream-exchange.js';
import { ChunkShapes } from '../../../src/providers/passthrough-chunk.js';
import { GatewayError } from '../../../src/core/errors.js';
import { Cancel } from '../../../src/core/cancel.js';
import type { StreamPart } from '../../../src/core/types.js';

const head = (id: string) => `{"id":"${id}","object":"chat.completion.chunk","created":1,"model":"m",`;
const ev = (json: string) => `data: ${json}\n\n`;
const stream = (id: string, texts: string[]) => [
  ev(`${head(id)}"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`),
  ...texts.map((t) => ev(`${head(id)}"choices":[{"index":0,"delta":{"content":${JSON.stringify(t)}},"finish_reason":null}]}`)),
  ev(`${head(id)}"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`),
  ev(`${head(id)}"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":${texts.length},"total_tokens":${3 + texts.length}}}`),
  ev('[DONE]'),
];

/**
 * One socket read as undici delivers it: the response's HTTP chunks laid out in one buffer, with
 * the chunked framing between them, and one view per chunk. `into` puts them in a given buffer.
 */
function read(events: Buffer[], into?: ArrayBuffer): Buffer[] {
  const framed = Buffer.concat(events.flatMap((e) => [Buffer.from(`${e.length.toString(16)}\r\n`), e, Buffer.from('\r\n')]));
  const ab = into ?? new ArrayBuffer(framed.length + 5);
  const bytes = new Uint8Array(ab);
  bytes.set(framed);
  bytes.set(Buffer.from('0\r\n\r\n'), framed.length);
  const views: Buffer[] = [];
  let off = 0;
  for (const e of events) {
    off += `${e.length.toString(16)}\r\n`.length;
    views.push(Buffer.from(ab, off, e.length));
    off += e.length + 2;
  }
  return views;
}

function exchange(shapes: ChunkShapes): SseExchange {
  const ex = new SseExchange({
    provider: 'up', signal: new Cancel(), passthrough: true, shapes,
    failure: (err) => new GatewayError('upstream_error', String(err)),
    httpError: (status, text) => new GatewayError('upstream_error', `${status} ${text}`),
  });
  ex.onConnect(() => undefined);
  ex.onHeaders(200, [Buffer.from('content-type'), Buffer.from('text/event-stream')], () => undefined);
  return ex;
}

/** The text and usage the parts carry. */
async function drain(ex: SseExchange): Promise<{ text: string; out: number | undefined }> {
  let text = '';
  let out: number | undefined;
  for await (const p of ex as AsyncIterable<StreamPart>) {
    if (p.type === 'text') text += p.text;
    else if (p.type === 'raw-chunks') for (const c of p.chunks) text += (JSON.parse(`{${c}`) as { choices: Array<{ delta: { content: string } }> }).choices[0].delta.content;
    else if (p.type === 'usage') out = p.usage.outputTokens;
    else if (p.type === 'error') throw p.error;
  }
  return { text, out };
}

const tick = () => new Promise((r) => setImmediate(r));

test('a read with ASCII and non-ASCII chunks reads as every chunk decoded on its own', async () => {
  const shapes = new ChunkShapes();
  const texts = ['Hello', ', wor', 'ld ', 'héllo ', '☃ ', '😀', ' plain', ' again', 'ünï', 'end'];
  for (const id of ['a', 'b', 'c']) {
    const ex = exchange(shapes);
    for (const v of read(stream(id, texts).map((e) => Buffer.from(e)))) ex.onData(v);
    ex.onComplete();
    assert.deepEqual(await drain(ex), { text: texts.join(''), out: texts.length }, id);
  }
});

test('a character split across two reads, each read decoded at once where it can be', async () => {
  const shapes = new ChunkShapes();
  const texts = ['one ', 'tw☃ ', 'three'];
  for (const id of ['d', 'e']) {
    const events = stream(id, texts).map((e) => Buffer.from(e));
    const ex = exchange(shapes);
    // The snowman's three bytes: one in the first read, two in the second.
    const snow = events[2].indexOf(Buffer.from('☃'));
    const first = [...events.slice(0, 2), events[2].subarray(0, snow + 1)];
    const second = [events[2].subarray(snow + 1), ...events.slice(3)];
    for (const v of read(first)) ex.onData(v);
    await tick();
    for (const v of read(second)) ex.onData(v);
    ex.onComplete();
    assert.deepEqual(await drain(ex), { text: texts.join(''), out: texts.length }, id);
  }
});

test('a buffer used again for the next read is read anew', async () => {
  const shapes = new ChunkShapes();
  const ex = exchange(shapes);
  const a = stream('f', ['aaaa', 'bbbb']).map((e) => Buffer.from(e));
  // The same chunk sizes with other text: the second read's views are the first's offsets.
  const events = [...a.slice(0, 2), Buffer.from(a[2].toString().replace('bbbb', 'cccc')), ...a.slice(3)];
  const ab = new ArrayBuffer(4096);
  for (const v of read(events.slice(0, 2), ab)) ex.onData(v);
  await tick();
  const again = read(events.slice(2), ab);
  for (const v of again) ex.onData(v);
  ex.onComplete();
  assert.deepEqual(await drain(ex), { text: 'aaaacccc', out: 2 });
});

test('chunks that share a slab of Buffer\'s pool, each made after the last was read, read right', async () => {
  const shapes = new ChunkShapes();
  const texts = ['pooled ', 'chunks ', 'one ', 'after ', 'another'];
  for (const id of ['g', 'h']) {
    const ex = exchange(shapes);
    // A fresh slab, its free bytes ASCII (as a decoder reading past a chunk would find them).
    let probe = Buffer.from('x');
    while (probe.byteOffset > 64) probe = Buffer.from('x');
    new Uint8Array(probe.buffer).fill(0x20, probe.byteOffset + 8);
    // Buffer.from of a short string takes the next bytes of the pool's current slab.
    for (const e of stream(id, texts)) ex.onData(Buffer.from(e));
    ex.onComplete();
    assert.deepEqual(await drain(ex), { text: texts.join(''), out: texts.length }, id);
  }
});
