/**
 * Issue 4 end to end: gpt-oss tool calls through a harmony-raw deployment. A recipient decides a
 * tool call on any channel (gpt-oss sometimes calls from `analysis`); clients get OpenAI
 * `tool_calls` with ids and JSON arguments; a multi-turn tool loop renders back into harmony with
 * the loop's chain-of-thought kept and answered turns' dropped.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { ANALYSIS, EXPOSED, HARMONY_CONTROL, collect, reasoningOf, startHarmonyStack, type HarmonyStack } from './harmony-stack.js';

const TOOL = { name: 'get_weather', arguments: { city: 'Paris', when: 'today' } };
const tools: OpenAI.ChatCompletionTool[] = [{
  type: 'function',
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' }, when: { type: 'string' } }, required: ['city'] } },
}];
const ask: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];

describe('gpt-oss tool calls through a harmony-raw deployment', () => {
  let s: HarmonyStack;
  before(async () => {
    s = await startHarmonyStack({
      commentary: { sim: { harmony_tool: TOOL } },
      preamble: { sim: { harmony_tool: TOOL, harmony_preamble: 'Let me check.' } },
      'on-analysis': { sim: { harmony_tool: TOOL, harmony_variant: 'tool-on-analysis' } },
      'glued-constrain': { sim: { harmony_tool: TOOL, harmony_variant: 'glued-constrain' } },
      // An engine that strips the `<|call|>` stop string: the completion just ends after the arguments.
      'call-stripped': { sim: { harmony_tool: TOOL }, include_stop_str_in_output: false },
      answer: { sim: { harmony_final: 'It is sunny, 21 °C.' } },
    });
  });
  after(async () => { await s?.stop(); });

  for (const model of ['commentary', 'on-analysis', 'glued-constrain', 'call-stripped']) {
    test(`${model}: non-streaming tool call with an id, the bare function name and JSON arguments`, async () => {
      const r = await s.client.chat.completions.create({ model, messages: ask, tools });
      const c = r.choices[0];
      assert.equal(c.finish_reason, 'tool_calls');
      assert.equal(c.message.content, null);
      assert.equal(c.message.tool_calls?.length, 1);
      const call = c.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      assert.match(call.id, /^call_/);
      assert.equal(call.type, 'function');
      assert.equal(call.function.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.function.arguments), TOOL.arguments);
      assert.ok(!JSON.stringify(r).includes('Café'), 'analysis leaked');
    });

    test(`${model}: streaming tool call assembles to the same call`, async () => {
      const r = await collect(await s.client.chat.completions.create({ model, messages: ask, tools, stream: true }));
      assert.equal(r.finish, 'tool_calls');
      assert.equal(r.content, '');
      assert.equal(r.calls.length, 1);
      assert.match(r.calls[0].id ?? '', /^call_/);
      assert.equal(r.calls[0].type, 'function');
      assert.equal(r.calls[0].name, 'get_weather');
      assert.deepEqual(JSON.parse(r.calls[0].args), TOOL.arguments);
      assert.ok(!r.raw.includes('Café') && !HARMONY_CONTROL.test(r.raw));
    });
  }

  test('a commentary preamble is content beside the tool call; analysis only with the exposed header', async () => {
    const r = await s.client.chat.completions.create({ model: 'preamble', messages: ask, tools });
    assert.equal(r.choices[0].message.content, 'Let me check.');
    assert.equal(r.choices[0].message.tool_calls?.length, 1);
    assert.equal(reasoningOf(r.choices[0].message), undefined);
    const x = await collect(await s.client.chat.completions.create({ model: 'preamble', messages: ask, tools, stream: true }, EXPOSED));
    assert.equal(x.content, 'Let me check.');
    assert.equal(x.reasoning, ANALYSIS);
    assert.equal(x.calls[0].name, 'get_weather');
    assert.equal(x.finish, 'tool_calls');
  });

  test('the tools reach the engine as harmony\'s TypeScript-like namespace', async () => {
    await s.client.chat.completions.create({ model: 'commentary', messages: ask, tools });
    const prompt = String((await s.lastUpstreamBody()).prompt);
    assert.ok(prompt.includes('namespace functions {'), prompt);
    assert.ok(prompt.includes('type get_weather = (_: {'));
    assert.ok(prompt.includes('Calls to these tools must go to the commentary channel'));
  });

  test('a full tool loop: call, result, answer; the loop\'s analysis is kept, an answered turn\'s dropped', async () => {
    // Turn 1 (answered): its reasoning must not reach the engine again.
    const history = [
      { role: 'user', content: 'Hi!' },
      { role: 'assistant', content: 'Hello!', reasoning: 'OLD-TURN-THOUGHT' },
      ...ask,
    ] as OpenAI.ChatCompletionMessageParam[];
    const first = await s.client.chat.completions.create({ model: 'commentary', messages: history, tools }, EXPOSED);
    const m = first.choices[0].message;
    const call = m.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    // The client sends the call back with its reasoning (as OpenAI-compatible clients of gpt-oss do) and the result.
    const loop = [
      ...history,
      { role: 'assistant', content: null, tool_calls: m.tool_calls, reasoning: reasoningOf(m) },
      { role: 'tool', tool_call_id: call.id, content: '{"temp_c":21,"sky":"sunny"}' },
    ] as OpenAI.ChatCompletionMessageParam[];
    const second = await s.client.chat.completions.create({ model: 'answer', messages: loop, tools });
    assert.equal(second.choices[0].message.content, 'It is sunny, 21 °C.');
    assert.equal(second.choices[0].finish_reason, 'stop');

    const prompt = String((await s.lastUpstreamBody()).prompt);
    assert.ok(!prompt.includes('OLD-TURN-THOUGHT'), 'an answered turn\'s reasoning is dropped');
    const tail = [
      '<|start|>user<|message|>Hi!<|end|>',
      '<|start|>assistant<|channel|>final<|message|>Hello!<|end|>',
      '<|start|>user<|message|>Weather in Paris?<|end|>',
      `<|start|>assistant<|channel|>analysis<|message|>${ANALYSIS}<|end|>`,
      `<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>${call.function.arguments}<|call|>`,
      '<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>{"temp_c":21,"sky":"sunny"}<|end|>',
      '<|start|>assistant',
    ].join('');
    assert.ok(prompt.endsWith(tail), `prompt tail:\n${prompt.slice(-700)}`);
  });

  test('reasoning sent back as reasoning_content (the older field) is kept in the loop too', async () => {
    const loop = [
      ...ask,
      { role: 'assistant', content: null, reasoning_content: 'LOOP-THOUGHT', tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_x', content: 'sunny' },
    ] as OpenAI.ChatCompletionMessageParam[];
    await s.client.chat.completions.create({ model: 'answer', messages: loop, tools });
    const prompt = String((await s.lastUpstreamBody()).prompt);
    assert.ok(prompt.includes('<|start|>assistant<|channel|>analysis<|message|>LOOP-THOUGHT<|end|><|start|>assistant to=functions.get_weather'), prompt.slice(-500));
  });
});
