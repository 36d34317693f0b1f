/**
 * How the stream reader hands parts over: upstreams send each event as its own HTTP chunk, and
 * the consumer should not pay one read per event when many arrive together. Plain content
 * chunks gather into one part until the consumer takes it; a part once taken never changes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAICompatibleProvider } from '../../../src/providers/openai-compatible.js';
import type { StreamPart } from '../../../src/core/types.js';
import { providerCall } from '../../helpers/provider-call.js';

let events = 0;
const head = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm' };
const event = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // Corked: every event is its own HTTP chunk, and all of them leave in one socket write.
    res.socket!.cork();
    res.write(event({ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }));
    for (let i = 0; i < events; i++) res.write(event({ ...head, choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] }));
    res.write(event({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
    res.write(event({ ...head, choices: [], usage: { prompt_tokens: 3, completion_tokens: events, total_tokens: 3 + events } }));
    res.end('data: [DONE]\n\n');
    process.nextTick(() => res.socket?.uncork());
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const provider = new OpenAICompatibleProvider({ id: 'up', baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` });
after(async () => { await provider.close(); server.close(); });

const contentOf = (chunks: string[]) =>
  chunks.map((c) => (JSON.parse(`{${c}`) as { choices: Array<{ delta: { content: string } }> }).choices[0].delta.content).join('');
const expected = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `).join('');

test('events that arrive together reach an eager consumer in a couple of parts, not one per event', async () => {
  events = 40;
  const parts: StreamPart[] = [];
  const seen: number[] = []; // chunk counts when each part was taken
  for await (const p of await provider.stream(providerCall('m', true))) {
    parts.push(p);
    if (p.type === 'raw-chunks') seen.push(p.chunks.length);
  }
  const raws = parts.filter((p) => p.type === 'raw-chunks');
  assert.ok(raws.length >= 1 && raws.length <= 2, `raw-chunks parts: ${raws.length}`);
  assert.deepEqual(raws.map((p) => p.chunks.length), seen, 'a part taken by the consumer is never appended to');
  assert.equal(contentOf(raws.flatMap((p) => p.chunks)), expected(40).slice(parts.some((p) => p.type === 'text') ? 3 : 0));
  const text = parts.filter((p) => p.type === 'text').map((p) => p.text).join('') + contentOf(raws.flatMap((p) => p.chunks));
  assert.equal(text, expected(40));
  assert.ok(parts.some((p) => p.type === 'finish'), 'finish part');
  const usage = parts.find((p) => p.type === 'usage');
  assert.ok(usage?.type === 'usage' && usage.usage.outputTokens === 40, 'usage part');
});

test('a consumer that reads late finds the content gathered in parts of at most 64 chunks', async () => {
  events = 300;
  const it = (await provider.stream(providerCall('m', true)))[Symbol.asyncIterator]();
  await new Promise((r) => setTimeout(r, 100)); // everything has arrived and been queued
  const parts: StreamPart[] = [];
  for (let r = await it.next(); !r.done; r = await it.next()) parts.push(r.value);
  const raws = parts.filter((p) => p.type === 'raw-chunks');
  assert.ok(raws.every((p) => p.chunks.length <= 64), raws.map((p) => p.chunks.length).join(','));
  assert.ok(raws.length >= Math.ceil(299 / 64), `raw-chunks parts: ${raws.length}`);
  const text = parts.filter((p) => p.type === 'text').map((p) => p.text).join('') + contentOf(raws.flatMap((p) => p.chunks));
  assert.equal(text, expected(300));
  assert.equal(raws.reduce((n, p) => n + p.textChars, 0), contentOf(raws.flatMap((p) => p.chunks)).length, 'textChars follows the merged chunks');
});

test('poll() hands over what already arrived without a promise, the same parts next() would, then undefined or the end', async () => {
  events = 5;
  const it = (await provider.stream(providerCall('m', true)))[Symbol.asyncIterator]() as AsyncIterator<StreamPart> & { poll(): IteratorResult<StreamPart> | undefined };
  const first = await it.next(); // the role header; the rest of the answer came in the same read
  assert.equal(first.value?.type, 'start');
  await new Promise((resolve) => setTimeout(resolve, 20));
  const polled: StreamPart[] = [];
  for (let r = it.poll(); r !== undefined && !r.done; r = it.poll()) polled.push(r.value);
  assert.deepEqual(polled.map((p) => p.type), ['raw-chunks', 'finish', 'usage']);
  assert.equal(contentOf((polled[0] as Extract<StreamPart, { type: 'raw-chunks' }>).chunks), expected(5));
  assert.deepEqual(it.poll(), { done: true, value: undefined });
  assert.deepEqual(await it.next(), { done: true, value: undefined });
});
