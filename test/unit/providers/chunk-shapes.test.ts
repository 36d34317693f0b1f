/**
 * What a provider learns about its upstream's chunks (ChunkShapes) and uses on its next streams:
 * the first content chunk is plain by the learned shape, a finish chunk seen before is not parsed
 * again, and other chunks sharing the stream's head are parsed from `"choices":[` on. Whatever
 * the provider learned, a stream reads as it does with every chunk parsed whole.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAICompatibleProvider } from '../../../src/providers/openai-compatible.js';
import type { StreamPart } from '../../../src/core/types.js';
import { providerCall } from '../../helpers/provider-call.js';
import { readChunk, type ChunkState } from '../../../src/providers/openai-wire.js';

/** The events (without `data: ` and the blank line) the server sends next, as written. */
let script: string[] = [];
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const e of script) res.write(`data: ${e}\n\n`);
    res.end('data: [DONE]\n\n');
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
const learner = new OpenAICompatibleProvider({ id: 'up', baseUrl: base });
after(async () => { await learner.close(); server.close(); });

/** Parts with forwarded chunks read back as the text they carry, so streams compare by meaning. */
async function read(p: OpenAICompatibleProvider, events: string[]): Promise<unknown[]> {
  script = events;
  const out: unknown[] = [];
  for await (const part of await p.stream(providerCall('m', true))) {
    if (part.type === 'raw-chunks') {
      for (const c of part.chunks) out.push({ type: 'text', text: (JSON.parse(`{${c}`) as { choices: Array<{ delta: { content: string } }> }).choices[0].delta.content });
    } else {
      out.push(part.type === 'error' ? { type: 'error', message: part.error.message } : part);
    }
  }
  return out;
}

/**
 * What the stream must read as: every chunk parsed whole, as the reader did before it learned
 * anything (no pass-through, no head, no shapes).
 */
function reference(events: string[]): unknown[] {
  const state: ChunkState = { started: false };
  const out: StreamPart[] = [];
  for (const e of events) {
    let json: { error?: unknown };
    try {
      json = JSON.parse(e) as { error?: unknown };
    } catch {
      return [...out, { type: 'error', message: `upstream up sent a malformed stream chunk: ${e.slice(0, 200)}` }];
    }
    if (json.error) return [...out, { type: 'error', message: `upstream up reported an error mid-stream: ${JSON.stringify(json.error)}` }];
    readChunk(json, state, out);
  }
  return out;
}

const head = (id: string, extra = '') => `{"id":"${id}","object":"chat.completion.chunk","created":1,"model":"m",${extra}`;
const role = (h: string) => `${h}"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`;
const content = (h: string, text: string) => `${h}"choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}},"finish_reason":null}]}`;
const finish = (h: string, reason: string) => `${h}"choices":[{"index":0,"delta":{},"finish_reason":"${reason}"}]}`;
const usage = (h: string, out: number) => `${h}"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":${out},"total_tokens":${3 + out}}}`;

function stream(id: string, reason: string, out: number, extra = ''): string[] {
  const h = head(id, extra);
  return [role(h), content(h, 'Hello'), content(h, ', wor'), content(h, 'ld'), finish(h, reason), usage(h, out)];
}

test('later streams read the same as with every chunk parsed whole', async () => {
  const streams = [
    stream('a', 'stop', 3), stream('b', 'stop', 4), stream('c', 'length', 5), stream('d', 'stop', 6),
    stream('e', 'tool_calls', 7), stream('f', 'content_filter', 8), stream('g', 'length', 9),
  ];
  for (const s of streams) assert.deepEqual(await read(learner, s), reference(s));
  const last = await read(learner, stream('h', 'stop', 11));
  assert.deepEqual(last.at(-2), { type: 'finish', reason: { unified: 'stop', raw: 'stop' } });
  assert.equal((last.at(-1) as { usage: { outputTokens: number } }).usage.outputTokens, 11);
});

test('a finish chunk seen before is not parsed again, and what it stands for cannot be changed', async () => {
  await read(learner, stream('p1', 'stop', 3));
  const parse = JSON.parse;
  const parsed: string[] = [];
  JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
    parsed.push(text);
    return parse(text, reviver);
  }) as typeof JSON.parse;
  let parts: StreamPart[] = [];
  try {
    script = stream('p2', 'stop', 4);
    for await (const p of await learner.stream(providerCall('m', true))) parts.push(p);
  } finally {
    JSON.parse = parse;
  }
  // The role chunk (whole) and the usage chunk (from "choices" on); no content or finish chunk.
  assert.equal(parsed.length, 2, parsed.join('\n'));
  assert.ok(parsed[0].startsWith('{"id":"p2"'));
  assert.ok(parsed[1].startsWith('{"choices":[],"usage"'));
  const fin = parts.find((p) => p.type === 'finish')!;
  assert.ok(Object.isFrozen(fin) && Object.isFrozen((fin as { reason: object }).reason));
  parts = [];
  script = stream('p3', 'stop', 5);
  for await (const p of await learner.stream(providerCall('m', true))) parts.push(p);
  assert.deepEqual(parts.find((p) => p.type === 'finish'), { type: 'finish', reason: { unified: 'stop', raw: 'stop' } });
});

test('a head that holds something a started stream reads is never skipped', async () => {
  await read(learner, stream('q1', 'stop', 3));
  // Usage before "choices" on the finish chunk: read from the whole chunk, so it is not lost.
  const h = head('q2');
  const withUsage = `${head('q2', '"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5},')}"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`;
  const events = [role(h), content(h, 'Hi'), withUsage];
  const parts = await read(learner, events);
  assert.deepEqual(parts, reference(events));
  assert.ok(parts.some((p) => (p as StreamPart).type === 'usage'), JSON.stringify(parts));
  // Heads with an object, an escape or a key a started stream reads are not learned at all.
  for (const extra of ['"meta":{"a":1},', '"note":"a\\"b",', '"x_groq":null,', '"error":null,']) {
    const s = stream('q3', 'stop', 4, extra);
    assert.deepEqual(await read(learner, s), reference(s), extra);
  }
  // "choices" first inside an object of the head: the real one comes later.
  const nested = head('q4', '"meta":{"n":1,"choices":[1]},');
  const nestedEvents = [role(nested), content(nested, 'Hi'), finish(nested, 'stop')];
  assert.deepEqual(await read(learner, nestedEvents), reference(nestedEvents));
  // The first chunk repeats `error` after "choices" (null, the value that counts), later ones do
  // not: their head's error stands. Spelled plainly, and with an escape.
  for (const key of ['error', '\\u0065rror']) {
    const h = head('q5', `"${key}":"boom",`);
    const events = [`${h}"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"error":null}`, content(h, 'Hi'), finish(h, 'stop')];
    const parts = await read(learner, events);
    assert.deepEqual(parts, reference(events), key);
    assert.match((parts.at(-1) as { message: string }).message, /reported an error mid-stream: "boom"/, key);
  }
});

test('a chunk whose head differs from the first chunk\'s is parsed whole', async () => {
  await read(learner, stream('r1', 'stop', 3));
  const h = head('r2');
  const later = `{"id":"r2","object":"chat.completion.chunk","created":2,"model":"m","x_groq":{"usage":{"prompt_tokens":3,"completion_tokens":9,"total_tokens":12}},"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`;
  const events = [role(h), content(h, 'Hi'), later];
  const parts = await read(learner, events);
  assert.deepEqual(parts, reference(events));
  assert.ok(parts.some((p) => (p as StreamPart).type === 'usage'), 'usage from x_groq on a chunk with another head');
});

test('a broken chunk after the head still ends the stream with an error', async () => {
  await read(learner, stream('s1', 'stop', 3));
  const h = head('s2');
  const events = [role(h), content(h, 'Hi'), `${h}"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]`];
  const parts = await read(learner, events);
  assert.deepEqual(parts, reference(events));
  assert.match((parts.at(-1) as { message: string }).message, /malformed stream chunk/);
});

test('more different finish chunks than are remembered: every stream reads right', async () => {
  for (let i = 0; i < 24; i++) {
    const h = head(`t${i}`);
    const events = [role(h), content(h, 'x'), `${h}"choices":[{"index":0,"delta":{},"finish_reason":"stop","seq":${i}}]}`];
    assert.deepEqual(await read(learner, events), reference(events));
  }
});
