import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ollamaBody, readOllamaCompletion, readOllamaLine, type OllamaStreamState } from '../../../src/providers/ollama-wire.js';
import type { ChatMessage, ChatRequest, StreamPart } from '../../../src/core/types.js';
import { GatewayError } from '../../../src/core/errors.js';

function req(messages: ChatMessage[], body: Record<string, unknown> = {}, effort?: ChatRequest['reasoningEffort']): ChatRequest {
  return { body: { model: 'm', messages, ...body }, model: 'm', messages, stream: false, includeUsage: false, reasoningEffort: effort, hasTools: false, hasImages: false, wantsJson: false, maxTokens: body.max_tokens as number | undefined };
}

let n = 0;
const ids = () => `call_${++n}`;

test('tool calls go to Ollama with object arguments, results by tool name', () => {
  const body = ollamaBody(req([
    { role: 'user', content: 'weather?' },
    { role: 'assistant', content: null, reasoning: 'call it', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: '3C' },
  ]), 'qwen2.5:7b', false);
  const msgs = body.messages as Array<Record<string, unknown>>;
  assert.deepEqual(msgs[1], { role: 'assistant', content: '', thinking: 'call it', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Oslo' } } }] });
  assert.deepEqual(msgs[2], { role: 'tool', content: '3C', tool_name: 'get_weather' });
});

test('sampling settings go in options; max_tokens is num_predict; json mode is format', () => {
  const body = ollamaBody(req([{ role: 'user', content: 'x' }], { temperature: 0.2, seed: 7, stop: 'END', max_tokens: 50, response_format: { type: 'json_object' } }), 'm', true);
  assert.deepEqual(body.options, { temperature: 0.2, seed: 7, num_predict: 50, stop: ['END'] });
  assert.equal(body.format, 'json');
  assert.equal(body.stream, true);
});

test('think: levels for gpt-oss, on/off for other models, absent when not asked', () => {
  const m: ChatMessage[] = [{ role: 'user', content: 'x' }];
  assert.equal(ollamaBody(req(m, {}, 'high'), 'gpt-oss:20b', false).think, 'high');
  assert.equal(ollamaBody(req(m, {}, 'minimal'), 'gpt-oss:20b', false).think, 'low');
  assert.equal(ollamaBody(req(m, {}, 'medium'), 'qwen3:8b', false).think, true);
  assert.equal(ollamaBody(req(m, {}, 'minimal'), 'qwen3:8b', false).think, false);
  assert.equal('think' in ollamaBody(req(m), 'gpt-oss:20b', false), false);
});

test('images become base64 beside the text; remote URLs are refused clearly', () => {
  const body = ollamaBody(req([{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,QUJD' } }] }]), 'qwen2.5vl:7b', false);
  assert.deepEqual(body.messages, [{ role: 'user', content: 'see', images: ['QUJD'] }]);
  assert.throws(() => ollamaBody(req([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }]), 'm', false),
    (e: unknown) => e instanceof GatewayError && e.code === 'unsupported_content');
});

test('a complete answer: thinking → reasoning, object arguments → JSON string with an id, tool_calls finish', () => {
  const r = readOllamaCompletion({
    model: 'gpt-oss:20b', created_at: '2026-01-01T00:00:00Z', done: true, done_reason: 'stop', prompt_eval_count: 12, eval_count: 4,
    message: { role: 'assistant', content: '', thinking: 'hmm', tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] },
  }, ids);
  const c = r.choices[0];
  assert.equal(c.reasoning, 'hmm');
  assert.equal(c.content, null);
  assert.equal(c.toolCalls![0].function.arguments, '{"a":1}');
  assert.match(c.toolCalls![0].id, /^call_/);
  assert.deepEqual(c.finish, { unified: 'tool_calls', raw: 'stop' });
  assert.deepEqual(r.usage, { inputTokens: 12, outputTokens: 4 });
});

test('streamed lines: each whole tool call gets its own index and id; the last line has finish and usage', () => {
  const state: OllamaStreamState = { started: false, tools: 0 };
  const out: StreamPart[] = [];
  readOllamaLine({ model: 'm', message: { role: 'assistant', content: '', thinking: 'a' }, done: false }, state, out, ids);
  readOllamaLine({ model: 'm', message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: {} } }] }, done: false }, state, out, ids);
  readOllamaLine({ model: 'm', message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'g', arguments: { x: 'y' } } }] }, done: false }, state, out, ids);
  readOllamaLine({ model: 'm', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 5, eval_count: 9 }, state, out, ids);
  assert.equal(out[0].type, 'start');
  assert.deepEqual(out[1], { type: 'reasoning', text: 'a' });
  const calls = out.filter((p): p is Extract<StreamPart, { type: 'tool-call' }> => p.type === 'tool-call');
  assert.deepEqual(calls.map((c) => [c.index, c.name, c.argumentsDelta]), [[0, 'f', '{}'], [1, 'g', '{"x":"y"}']]);
  assert.notEqual(calls[0].id, calls[1].id);
  assert.deepEqual(out.slice(-2), [{ type: 'finish', reason: { unified: 'tool_calls', raw: 'stop' } }, { type: 'usage', usage: { inputTokens: 5, outputTokens: 9 } }]);
});
