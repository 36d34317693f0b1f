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

test('chunks seen before are not parsed again (the role header but for its head, the finish and usage chunks), and what they stand for cannot be changed', async () => {
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
  // Nothing: the role header by its rest and its head's shape, the content by the content shape,
  // the finish chunk as seen before, the usage chunk by its shape.
  assert.deepEqual(parsed, []);
  assert.deepEqual(parts[0], { type: 'start', id: 'p2', model: 'm', created: 1 });
  assert.deepEqual(parts.at(-1), { type: 'usage', usage: { inputTokens: 3, outputTokens: 4 } });
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

test('usage chunks of a learned shape read their own numbers; anything else in them is parsed', async () => {
  await read(learner, stream('u1', 'stop', 3));
  const h = head('u2');
  const detailed = (a: string, b: string, c: string) => `${h}"choices":[],"usage":{"prompt_tokens":${a},"completion_tokens":${b},"total_tokens":9,`
    + `"prompt_tokens_details":{"cached_tokens":${c}},"completion_tokens_details":{"reasoning_tokens":0}}}`;
  const cases = [
    // A new shape (details), learned from its first chunk, then read by shape with other numbers.
    detailed('8', '20', '5'), detailed('1', '0', '0'), detailed('123456789012345', '2', '3'),
    // Not by shape: a leading zero (not JSON), 16 digits, a fraction, an exponent, a sign, a space.
    detailed('08', '1', '1'), detailed('2702793525334787601', '1', '1'), detailed('1.5', '1', '1'),
    detailed('1e3', '1', '1'), detailed('-1', '1', '1'), detailed(' 7', '1', '1'),
    // The same text but for a key: another shape.
    `${h}"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":5,"total_tokens":9,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_token":7}}}`,
    // Cut short after a number.
    `${h}"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":5,"total_tokens":9,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_tokens":0}}`,
  ];
  for (const u of cases) {
    const events = [role(h), content(h, 'Hi'), finish(h, 'stop'), u];
    assert.deepEqual(await read(learner, events), reference(events), u);
  }
  // A number that is not a hole (after a space) spelled like a probe's: that shape is not learned.
  const fresh = new OpenAICompatibleProvider({ id: 'up', baseUrl: base });
  try {
    for (const u of [
      `${h}"choices":[],"usage":{"completion_tokens":987654001,"total_tokens":987654001,"prompt_tokens": 987654001}}`,
      `${h}"choices":[],"usage":{"completion_tokens":5,"total_tokens":6,"prompt_tokens": 987654001}}`,
    ]) {
      const events = [role(h), content(h, 'Hi'), u];
      assert.deepEqual(await read(fresh, events), reference(events), u);
    }
  } finally {
    await fresh.close();
  }
  const shaped = await read(learner, [role(h), content(h, 'Hi'), detailed('41', '42', '43')]);
  assert.deepEqual(shaped.at(-1), { type: 'usage', usage: { inputTokens: 41, outputTokens: 42, reasoningTokens: 0, cachedInputTokens: 43 } });
});

test('first chunks: a rest seen before is read by its head alone, and reads as parsed whole', async () => {
  const first = (h: string, rest: string) => `${h}${rest}`;
  const rests = [
    // The role header with the first text in it (some upstreams), and with a finish reason.
    '"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}',
    '"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":"stop"}]}',
    // Keys a start part is read from after "choices": the later one counts, so never by the head.
    '"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"id":"late"}',
    '"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"created":1}',
    '"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"model":"other"}',
    // A tool call (numbered per stream) and usage (counted per stream) are parsed every time.
    '"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"c1","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}',
    '"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":{"prompt_tokens":1,"completion_tokens":0,"total_tokens":1}}',
  ];
  for (const rest of rests) {
    // The first stream's head agrees with a later key of its rest, the next ones' do not.
    for (const id of ['late', 'v2', 'v3']) {
      const h = head(id);
      const events = [first(h, rest), content(h, 'lo'), finish(h, 'stop')];
      assert.deepEqual(await read(learner, events), reference(events), `${id} ${rest}`);
    }
  }
  // Heads that are not one object's members before a comma: parsed whole, as errors where they are.
  for (const h of ['{,', '{ ,', '{"id":"w1",,', '{"id":"w1" ,', '{"id":"w1","created":1e999,']) {
    const events = [first(h, rests[0]), content(head('w1'), 'lo')];
    assert.deepEqual(await read(learner, events), reference(events), h);
  }
  // A head with an id that is not a string, no id, or other keys: as parsed whole.
  for (const h of ['{"id":5,"model":"m",', '{"model":"m",', '{"object":"x","created":3,"model":"m","system_fingerprint":"fp",']) {
    const events = [first(h, rests[0]), content(h, 'lo')];
    assert.deepEqual(await read(learner, events), reference(events), h);
  }
});

test('heads of a learned shape read their own values; anything else in them is parsed', async () => {
  const fresh = new OpenAICompatibleProvider({ id: 'up', baseUrl: base });
  try {
    const heads = [
      head('x1'), head('x2'),
      // Strings with what would be structure outside a string, an empty one, and non-ASCII text.
      head('a{b}[c],d:e'), head(''), head('ünï ☃ 😀'),
      // Not a string where the shape has one, and the other way round: parsed (as errors where they are).
      '{"id":5,"object":"chat.completion.chunk","created":1,"model":"m",',
      '{"id":"x3","object":"chat.completion.chunk","created":"1","model":"m",',
      '{"id":"x4","object":"chat.completion.chunk","created":-1,"model":"m",',
      '{"id":"x5","object":"chat.completion.chunk","created":1.5,"model":"m",',
      '{"id":"x6","object":"chat.completion.chunk","created":01,"model":"m",',
      '{"id":"x7","object":"chat.completion.chunk","created":1,"model":null,',
      '{"id":"x8","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp",',
      '{"id":"x\\"9","object":"chat.completion.chunk","created":1,"model":"m",',
      `{"id":"x\u000110","object":"chat.completion.chunk","created":1,"model":"m",`,
      '{"id":"x11","object":"chat.completion.chunk","created":1,"model":"m"',
      '{"id":"x12","object":"chat.completion.chunk","created":1,"model":"m",,',
      head('x13'),
    ];
    for (const h of heads) {
      const events = [role(h), content(h, 'Hi'), finish(h, 'stop'), usage(h, 2)];
      assert.deepEqual(await read(fresh, events), reference(events), h);
    }
  } finally {
    await fresh.close();
  }
});
