/**
 * The body the OpenAI-compatible adapter sends upstream, as a loopback server receives it: the
 * deployment's model, `stream` as called, usage always asked for on a stream (the client's own
 * stream_options kept), routing-only fields left at the gateway, everything else passed through
 * as the client sent it, a `__proto__` key included (as data).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAICompatibleProvider } from '../../../src/providers/openai-compatible.js';
import type { ChatRequest } from '../../../src/core/types.js';
import { Cancel } from '../../../src/core/cancel.js';

let received = '';
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received = Buffer.concat(chunks).toString('utf8');
    const stream = (JSON.parse(received) as { stream: boolean }).stream;
    if (stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"id":"c","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}');
    }
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const provider = new OpenAICompatibleProvider({ id: 'up', baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` });
after(async () => { await provider.close(); server.close(); });

const clientBody = () => JSON.parse(`{"model":"alias","messages":[{"role":"user","content":"hi"}],"stream":true,
  "stream_options":{"include_usage":false,"x_vendor":1},"temperature":0.2,"seed":7,"provider":{"order":["a"]},
  "models":["a","b"],"some_vendor_field":{"deep":[1,2]},"__proto__":{"polluted":true}}`) as Record<string, unknown>;

function call(stream: boolean) {
  const body = clientBody();
  const request = { body, model: 'alias', messages: body.messages, stream, includeUsage: false, hasTools: false, hasImages: false, wantsJson: false } as ChatRequest;
  return { request, upstreamModel: 'upstream-model', signal: new Cancel() };
}

test('a streamed call: upstream model, usage asked for, routing fields dropped, the rest as sent', async () => {
  for await (const _ of await provider.stream(call(true))) { /* drain */ }
  const sent = JSON.parse(received) as Record<string, unknown>;
  assert.equal(sent.model, 'upstream-model');
  assert.equal(sent.stream, true);
  assert.deepEqual(sent.stream_options, { include_usage: true, x_vendor: 1 });
  assert.equal('provider' in sent, false);
  assert.equal('models' in sent, false);
  assert.equal(sent.temperature, 0.2);
  assert.equal(sent.seed, 7);
  assert.deepEqual(sent.some_vendor_field, { deep: [1, 2] });
  assert.deepEqual(sent.messages, [{ role: 'user', content: 'hi' }]);
  // The `__proto__` key travels as data and never became the body's prototype.
  assert.ok(Object.prototype.hasOwnProperty.call(sent, '__proto__'));
  assert.match(received, /"__proto__":\{"polluted":true\}/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a non-streaming call sends no stream_options', async () => {
  await provider.complete(call(false));
  const sent = JSON.parse(received) as Record<string, unknown>;
  assert.equal(sent.model, 'upstream-model');
  assert.equal(sent.stream, false);
  assert.equal('stream_options' in sent, false);
  assert.equal('models' in sent, false);
  assert.equal(sent.temperature, 0.2);
});
