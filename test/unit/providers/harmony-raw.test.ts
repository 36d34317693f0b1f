/** The harmony-raw provider against a local completions server that answers as gpt-oss writes. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCompletionsServer, streamCompletion, type Handler } from './completions-server.js';
import { HarmonyRawProvider } from '../../../src/providers/harmony-raw.js';
import { GatewayError } from '../../../src/core/errors.js';
import { harmonyCompletion } from '../../../src/sim/harmony-completions.js';
import type { ChatRequest, StreamPart } from '../../../src/core/types.js';
import type { ProviderCall } from '../../../src/providers/provider.js';
import { validateConfig } from '../../../src/config/load.js';
import { buildProviders } from '../../../src/server/boot.js';

const srv = await startCompletionsServer();
const { base, agent, seen } = srv;
let handler: Handler = () => {};
srv.handle((req, body, res) => handler(req, body, res));
after(() => srv.close());

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

test('the system message carries today\'s UTC date by default, a pinned date, or none', async () => {
  const sys = (p: HarmonyRawProvider) => p.prompt(call(ask)).split('<|end|>')[0];
  const at = new HarmonyRawProvider({ id: 'a', baseUrl: base, now: () => new Date('2026-03-01T23:30:00-05:00') });
  assert.match(sys(at), /\nKnowledge cutoff: 2024-06\nCurrent date: 2026-03-02\n/, 'auto is the UTC date, not the local one');
  const pinned = new HarmonyRawProvider({ id: 'p', baseUrl: base, currentDate: '2025-06-28', system: { knowledgeCutoff: '2025-01' } });
  assert.match(sys(pinned), /\nKnowledge cutoff: 2025-01\nCurrent date: 2025-06-28\n/);
  const none = new HarmonyRawProvider({ id: 'n', baseUrl: base, currentDate: null });
  assert.ok(!sys(none).includes('Current date'), sys(none));
});

test('a stream cut cleanly mid-message (no finish, no [DONE]) ends with upstream_error, no half control token as text', async () => {
  // The engine dies right after `<|channel|>final<|message|>Bonjour<|chan`: the connection closes without an error.
  handler = (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const t of ['<|channel|>final', '<|message|>Bonjour', '<|chan']) {
      res.write(`data: ${JSON.stringify({ id: 'cmpl-3', choices: [{ index: 0, text: t, finish_reason: null }] })}\n\n`);
    }
    res.end();
  };
  const parts = await collect(await provider.stream(call({ ...ask, stream: true })));
  const last = parts[parts.length - 1];
  assert.ok(last.type === 'error' && last.error.code === 'upstream_error', JSON.stringify(last));
  assert.match(last.error.message, /closed the stream/);
  const text = parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
  assert.equal(text, 'Bonjour');
  assert.ok(!parts.some((p) => p.type === 'finish' || p.type === 'usage'), 'a cut stream is not reported as finished');
});

test('config: providers[].harmony sets the date line and the cutoff; bad values and other types are refused', async () => {
  const cfg = (harmony: unknown, type = 'harmony-raw') => ({ providers: [{ id: 'oss', type, base_url: base, harmony }], models: [] });
  const { providers } = await buildProviders(validateConfig(cfg({ current_date: '2025-12-24', knowledge_cutoff: '2025-01' })), {});
  const prompt = (providers.get('oss') as HarmonyRawProvider).prompt(call(ask));
  assert.ok(prompt.includes('Knowledge cutoff: 2025-01\nCurrent date: 2025-12-24\n'), prompt);
  const off = await buildProviders(validateConfig(cfg({ current_date: 'none' })), {});
  assert.ok(!(off.providers.get('oss') as HarmonyRawProvider).prompt(call(ask)).includes('Current date'));
  const today = new Date().toISOString().slice(0, 10);
  const auto = await buildProviders(validateConfig(cfg(undefined)), {});
  const autoPrompt = (auto.providers.get('oss') as HarmonyRawProvider).prompt(call(ask));
  // Straddling midnight UTC between the two clock reads is the only way this could differ.
  assert.ok(autoPrompt.includes(`Current date: ${today}`) || autoPrompt.includes(`Current date: ${new Date().toISOString().slice(0, 10)}`));
  assert.throws(() => validateConfig(cfg({ current_date: '28/06/2025' })), /current_date/);
  assert.throws(() => validateConfig(cfg({ knowledge_cutoff: '2024' })), /knowledge_cutoff/);
  assert.throws(() => validateConfig(cfg({ current_date: 'auto' }, 'openai-compatible')), /harmony: only providers of type 'harmony-raw'/);
});
