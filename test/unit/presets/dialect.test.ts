import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEffort, mapReasoningInput } from '../../../src/providers/presets/dialect.js';
import { readChunk, readUsage } from '../../../src/providers/openai-wire.js';
import type { StreamPart } from '../../../src/core/types.js';

const effort = (style: Parameters<typeof applyEffort>[1], e: Parameters<typeof applyEffort>[2], extra: Record<string, unknown> = {}) => {
  const body: Record<string, unknown> = { reasoning_effort: e, ...extra };
  applyEffort(body, style, e);
  return body;
};

test('reasoning effort in each provider\'s spelling', () => {
  assert.deepEqual(effort('reasoning_effort', 'low'), { reasoning_effort: 'low' });
  assert.deepEqual(effort('openrouter', 'high'), { reasoning: { effort: 'high' } });
  assert.deepEqual(effort('chat_template_kwargs', 'medium'), { chat_template_kwargs: { reasoning_effort: 'medium' } });
  assert.deepEqual(effort('chat_template_kwargs', 'minimal'), { chat_template_kwargs: { reasoning_effort: 'low' } }, 'gpt-oss has no minimal');
  assert.deepEqual(effort('zai', 'minimal'), { thinking: { type: 'disabled' } });
  assert.deepEqual(effort('zai', 'low'), { thinking: { type: 'enabled' } });
  assert.deepEqual(effort('dashscope', 'high'), { enable_thinking: true });
  assert.deepEqual(effort('drop', 'high'), {});
});

test('a client\'s own vendor fields are kept and merged', () => {
  assert.deepEqual(effort('openrouter', 'low', { reasoning: { max_tokens: 100 } }), { reasoning: { max_tokens: 100, effort: 'low' } });
  assert.deepEqual(effort('chat_template_kwargs', 'high', { chat_template_kwargs: { enable_thinking: true } }), { chat_template_kwargs: { enable_thinking: true, reasoning_effort: 'high' } });
  assert.deepEqual(effort('zai', 'high', { thinking: { type: 'disabled' } }), { thinking: { type: 'disabled' } });
});

test('earlier reasoning is renamed or stripped without touching the client\'s messages', () => {
  const messages = [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning: 'because' }];
  const renamed = mapReasoningInput(messages, 'reasoning_content') as Array<Record<string, unknown>>;
  assert.deepEqual(renamed[1], { role: 'assistant', content: 'a', reasoning_content: 'because' });
  assert.equal(renamed[0], messages[0], 'untouched messages are reused');
  const stripped = mapReasoningInput(messages, null) as Array<Record<string, unknown>>;
  assert.deepEqual(stripped[1], { role: 'assistant', content: 'a' });
  assert.equal(messages[1].reasoning, 'because', 'the original is unchanged for a failover to another dialect');
  const plain = [{ role: 'user', content: 'q' }];
  assert.equal(mapReasoningInput(plain, 'reasoning'), plain, 'no copy when nothing to do');
});

test('usage spellings: nested and top-level cached tokens, reasoning tokens', () => {
  assert.deepEqual(readUsage({ prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } }),
    { inputTokens: 10, outputTokens: 5, cachedInputTokens: 4, reasoningTokens: 2 });
  assert.deepEqual(readUsage({ prompt_tokens: 10, completion_tokens: 5, cached_tokens: 7 }), { inputTokens: 10, outputTokens: 5, cachedInputTokens: 7 });
});

test('Groq\'s streamed usage in x_groq is read', () => {
  const out: StreamPart[] = [];
  readChunk({ id: 'x', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], x_groq: { id: 'req', usage: { prompt_tokens: 3, completion_tokens: 2 } } }, { started: true }, out);
  assert.deepEqual(out, [{ type: 'finish', reason: { unified: 'stop', raw: 'stop' } }, { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } }]);
});

test('reasoning arrives from either field name', () => {
  for (const field of ['reasoning', 'reasoning_content']) {
    const out: StreamPart[] = [];
    readChunk({ choices: [{ index: 0, delta: { [field]: 'hmm' } }] }, { started: true }, out);
    assert.deepEqual(out, [{ type: 'reasoning', text: 'hmm' }]);
  }
});

test('parallel tool calls all sent at index 0 get one index each; continuation deltas follow their call', () => {
  const state = { started: true };
  const out: StreamPart[] = [];
  const chunk = (tc: Record<string, unknown>) => readChunk({ choices: [{ index: 0, delta: { tool_calls: [tc] } }] }, state, out);
  chunk({ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"x"' } });
  chunk({ index: 0, function: { arguments: ':1}' } });
  chunk({ index: 0, id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } });
  chunk({ index: 0, id: 'b', function: { arguments: '' } });
  const calls = out.filter((p): p is Extract<StreamPart, { type: 'tool-call' }> => p.type === 'tool-call');
  assert.deepEqual(calls.map((c) => [c.index, c.id, c.argumentsDelta]), [[0, 'a', '{"x"'], [0, undefined, ':1}'], [1, 'b', '{}'], [1, 'b', '']]);
});
