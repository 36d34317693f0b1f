/**
 * Issue 8 end to end: an embedded gpt-oss model that calls a tool (`<|channel|>commentary
 * to=functions.get_weather <|constrain|>json<|message|>{"city":"Paris"}<|call|>`) gives the `openai`
 * client an OpenAI tool call, streaming and not. One model load for the file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { TOOL_ARGS, TOOL_PIECES } from '../../helpers/local-models.js';
import { HARMONY_CONTROL, collect } from '../../helpers/chat-stream.js';
import { startLocalStack, type LocalStack } from './local-stack.js';

const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

describe('embedded tiny gpt-oss calling a tool through the gateway', () => {
  let s: LocalStack;
  before(async () => {
    s = await startLocalStack('gpt-oss-tool', { arch: 'gpt-oss', script: { after: 't', pieces: TOOL_PIECES, end: '<|call|>' } });
  });
  after(async () => { await s?.stop(); });

  const messages = [{ role: 'user' as const, content: 'Weather in Paris?' }];

  test('non-streaming: one tool call with an id, the name and JSON arguments; finish_reason tool_calls', async () => {
    const r = await s.client.chat.completions.create({ model: 'gpt-oss-tool', messages, tools });
    const c = r.choices[0];
    assert.equal(c.finish_reason, 'tool_calls');
    assert.equal(c.message.content, null);
    const call = c.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    assert.match(call.id, /^call_/);
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), JSON.parse(TOOL_ARGS));
  });

  test('streaming: the same call, and no control token in any chunk', async () => {
    const r = await collect(await s.client.chat.completions.create({ model: 'gpt-oss-tool', messages, tools, stream: true }));
    assert.equal(r.finish, 'tool_calls');
    assert.equal(r.content, '');
    assert.equal(r.calls.length, 1);
    assert.match(r.calls[0].id ?? '', /^call_/);
    assert.equal(r.calls[0].name, 'get_weather');
    assert.equal(r.calls[0].args, TOOL_ARGS);
    assert.ok(!HARMONY_CONTROL.test(r.raw), r.raw);
  });
});
