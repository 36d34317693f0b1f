/** The harmony-raw provider against a local completions server that answers as gpt-oss writes. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { HarmonyRawProvider } from '../../../src/providers/harmony-raw.js';
import { GatewayError } from '../../../src/core/errors.js';
import { harmonyCompletion } from '../../../src/sim/harmony-completions.js';
import type { ChatRequest, StreamPart } from '../../../src/core/types.js';
import type { ProviderCall } from '../../../src/providers/provider.js';

type Handler = (req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse) => void;
let handler: Handler = () => {};
const seen: Record<string, unknown>[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    seen.push(body);
    handler(req, body, res);
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const agent = new Agent({ keepAliveTimeout: 1000 });
after(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

let ids = 0;
const provider = new HarmonyRawProvider({ id: 'gpt-oss-raw', baseUrl: base, dispatcher: agent, newId: () => `call_${++ids}` });

function call(body: Record<string, unknown>, signal = new AbortController().signal): ProviderCall {
  const messages = body.messages as ChatRequest['messages'];
  const request: ChatRequest = {
    body, model: 'gpt-oss-20b', messages, stream: body.stream === true, includeUsage: true,
    hasTools: Array.isArray(body.tools), hasImages: false, wantsJson: false,
  };
  return { request, upstreamModel: 'openai/gpt-oss-20b', signal };
}

const ask = { messages: [{ role: 'user', content: 'What is 2 + 2?' }], max_tokens: 64, temperature: 0.2 };
const SECRET = 'User asks 2+2. Easy.';

/** Stream `text` as SSE, cutting the raw bytes every `step` bytes so characters split across writes. */
function streamCompletion(res: ServerResponse, text: string, step: number, finish = 'stop'): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += 4) pieces.push(text.slice(i, i + 4));
  const events = pieces.map((t) => `data: ${JSON.stringify({ id: 'cmpl-1', model: 'gpt-oss-20b', created: 1, choices: [{ index: 0, text: t, finish_reason: null }] })}\n\n`);
  events.push(`data: ${JSON.stringify({ id: 'cmpl-1', choices: [{ index: 0, text: '', finish_reason: finish }] })}\n\n`);
  events.push(`data: ${JSON.stringify({ id: 'cmpl-1', choices: [], usage: { prompt_tokens: 70, completion_tokens: 30 } })}\n\ndata: [DONE]\n\n`);
  const bytes = Buffer.from(events.join(''));
  for (let i = 0; i < bytes.length; i += step) res.write(bytes.subarray(i, i + step));
  res.end();
}

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of parts) out.push(p);
  return out;
}

test('non-streaming: renders the prompt, sends stop tokens, maps channels', async () => {
  handler = (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'cmpl-9', model: 'gpt-oss-20b', created: 5, choices: [{ index: 0, text: harmonyCompletion({ analysis: SECRET, final: '2 + 2 = 4.' }), finish_reason: 'stop' }], usage: { prompt_tokens: 70, completion_tokens: 20 } }));
  };
  const result = await provider.complete(call(ask));
  const sent = seen[seen.length - 1];
  assert.equal(sent.model, 'openai/gpt-oss-20b');
  assert.deepEqual(sent.stop, ['<|return|>', '<|call|>']);
  assert.equal(sent.max_tokens, 64);
  assert.equal(sent.temperature, 0.2);
  assert.ok(typeof sent.prompt === 'string' && sent.prompt.endsWith('<|start|>user<|message|>What is 2 + 2?<|end|><|start|>assistant'));
  assert.equal(result.choices[0].content, '2 + 2 = 4.');
  assert.equal(result.choices[0].reasoning, SECRET);
  assert.deepEqual(result.choices[0].finish, { unified: 'stop', raw: '<|return|>' });
  assert.equal(result.usage?.inputTokens, 70);
  assert.ok((result.usage?.reasoningTokens ?? 0) > 0);
});

test('streaming: deltas with emoji split across network writes, reasoning separate, usage last', async () => {
  const final = 'Voilà: 4 🦄👍🏽 日本';
  handler = (_req, _body, res) => streamCompletion(res, harmonyCompletion({ analysis: SECRET, final }), 7);
  const parts = await collect(await provider.stream(call({ ...ask, stream: true })));
  assert.equal(parts[0].type, 'start');
  const text = parts.filter((p) => p.type === 'text').map((p) => (p.type === 'text' ? p.text : '')).join('');
  const reasoning = parts.filter((p) => p.type === 'reasoning').map((p) => (p.type === 'reasoning' ? p.text : '')).join('');
  assert.equal(text, final);
  assert.equal(reasoning, SECRET);
  assert.ok(parts.every((p) => p.type !== 'text' || (!p.text.includes('<|') && !p.text.includes('\uFFFD'))));
  assert.deepEqual(parts.slice(-2).map((p) => p.type), ['finish', 'usage']);
  const usage = parts[parts.length - 1];
  assert.ok(usage.type === 'usage' && usage.usage.outputTokens === 30);
});

test('streaming tool call (engine strips the stop string): tool-call parts and finish tool_calls', async () => {
  handler = (_req, _body, res) => streamCompletion(res, harmonyCompletion({ analysis: SECRET, toolCall: { name: 'get_weather', args: { city: 'Tokyo' } }, includeStop: false, malformed: 'glued-constrain' }), 5);
  const parts = await collect(await provider.stream(call({ ...ask, stream: true, tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }] })));
  const calls = parts.filter((p) => p.type === 'tool-call');
  assert.equal(calls[0].type === 'tool-call' && calls[0].name, 'get_weather');
  assert.equal(calls.map((p) => (p.type === 'tool-call' ? p.argumentsDelta : '')).join(''), '{"city":"Tokyo"}');
  assert.ok(calls.every((p) => p.type === 'tool-call' && p.index === 0));
  const finish = parts.find((p) => p.type === 'finish');
  assert.ok(finish?.type === 'finish' && finish.reason.unified === 'tool_calls');
  assert.ok(String(seen[seen.length - 1].prompt).includes("Calls to these tools must go to the commentary channel: 'functions'."));
});

async function rejectsWith(p: Promise<unknown>, code: string, status: number): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GatewayError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.status, status);
    return err;
  }
  assert.fail('expected a GatewayError');
}

test('HTTP failures map to gateway errors keeping the upstream message', async () => {
  handler = (_req, _body, res) => { res.writeHead(500, { 'content-type': 'application/json' }); res.end('{"error":{"message":"CUDA out of memory"}}'); };
  const e500 = await rejectsWith(provider.complete(call(ask)), 'upstream_error', 502);
  assert.match(e500.message, /CUDA out of memory/);
  handler = (_req, _body, res) => { res.writeHead(429, { 'retry-after': '7' }); res.end('slow down'); };
  const e429 = await rejectsWith(provider.stream(call({ ...ask, stream: true })), 'upstream_rate_limited', 429);
  assert.equal(e429.retryAfterSeconds, 7);
  handler = (_req, _body, res) => { res.writeHead(400); res.end('{"message":"prompt too long"}'); };
  assert.match((await rejectsWith(provider.complete(call(ask)), 'upstream_bad_request', 400)).message, /prompt too long/);
});

test('a timeout abort maps to 504 and a refused connection to 503', async () => {
  const ac = new AbortController();
  handler = () => { ac.abort(new DOMException('took too long', 'TimeoutError')); }; // never answers
  await rejectsWith(provider.complete(call(ask, ac.signal)), 'upstream_timeout', 504);

  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const dead = new HarmonyRawProvider({ id: 'dead', baseUrl: `http://127.0.0.1:${port}/v1`, dispatcher: agent });
  await rejectsWith(dead.complete(call(ask)), 'upstream_unavailable', 503);
});

test('non-streaming recoveries: a tool call on analysis, a lost <|message|>, a bare refusal', async () => {
  const answer = (text: string, finish = 'stop') => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'cmpl-2', choices: [{ index: 0, text, finish_reason: finish }] }));
    };
  };
  answer(harmonyCompletion({ analysis: SECRET, toolCall: { name: 'lookup', args: { q: 'x' } }, malformed: 'tool-on-analysis', includeStop: false }));
  const call1 = (await provider.complete(call(ask))).choices[0];
  assert.equal(call1.toolCalls?.[0].function.name, 'lookup');
  assert.equal(call1.toolCalls?.[0].function.arguments, '{"q":"x"}');
  assert.equal(call1.finish.unified, 'tool_calls');
  assert.equal(call1.content, null);

  answer(harmonyCompletion({ analysis: SECRET, final: 'Paris is\nthe capital.', malformed: 'missing-message' }));
  const lost = await provider.complete(call(ask));
  assert.equal(lost.choices[0].content, 'Paris is\nthe capital.');
  assert.equal(lost.choices[0].reasoning, SECRET);
  assert.equal(lost.usage?.estimated, true, 'no upstream usage: counted by the gateway');

  answer(harmonyCompletion({ malformed: 'no-header-refusal' }), 'stop');
  const refusal = (await provider.complete(call(ask))).choices[0];
  assert.equal(refusal.content, "I'm sorry, but I can't help with that.");
  assert.equal(refusal.reasoning, undefined);
});

test('a stream request answered with a JSON error (status 200) fails before the first part', async () => {
  handler = (_req, _body, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"error":{"message":"model not loaded"}}'); };
  const err = await rejectsWith(provider.stream(call({ ...ask, stream: true })), 'upstream_error', 502);
  assert.match(err.message, /model not loaded/);
});
