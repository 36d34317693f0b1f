/** OpenAI chat requests rendered as harmony prompts, including a multi-turn tool loop. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harmonyFromOpenAI } from '../../../src/harmony/from-openai.js';
import { renderForCompletion } from '../../../src/harmony/render.js';

const weatherTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city.', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

test('system prompt becomes developer instructions; tools, effort and functions note are rendered', () => {
  const prompt = renderForCompletion(harmonyFromOpenAI({
    messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    tools: [weatherTool],
    reasoning_effort: 'high',
  }));
  assert.equal(prompt,
    '<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\n\nReasoning: high\n\n'
    + '# Valid channels: analysis, commentary, final. Channel must be included for every message.\n'
    + "Calls to these tools must go to the commentary channel: 'functions'.<|end|>"
    + '<|start|>developer<|message|># Instructions\n\nBe terse.\n\n# Tools\n\n## functions\n\nnamespace functions {\n\n'
    + '// Weather for a city.\ntype get_weather = (_: {\ncity: string,\n}) => any;\n\n} // namespace functions<|end|>'
    + '<|start|>user<|message|>Hi<|end|><|start|>assistant');
});

test('tool loop: reasoning kept within the ongoing loop, dropped for the answered turn', () => {
  const messages = [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', reasoning: 'OLD-THOUGHT', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: '{"temp":21}' },
    { role: 'assistant', content: 'It is 21°C.' },
    { role: 'user', content: 'And Rome?' },
    { role: 'assistant', reasoning_content: 'CURRENT-THOUGHT', content: 'Let me check.', tool_calls: [{ id: 'c2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] },
    { role: 'tool', tool_call_id: 'c2', content: '{"temp":25}' },
  ];
  const prompt = renderForCompletion(harmonyFromOpenAI({ messages, tools: [weatherTool] }));
  assert.ok(!prompt.includes('OLD-THOUGHT'), 'reasoning of the answered turn is dropped');
  assert.ok(prompt.includes('<|start|>assistant<|channel|>analysis<|message|>CURRENT-THOUGHT<|end|>'));
  assert.ok(prompt.includes('<|start|>assistant<|channel|>commentary<|message|>Let me check.<|end|>'));
  assert.ok(prompt.includes('<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"city":"Rome"}<|call|>'));
  assert.ok(prompt.includes('<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>{"temp":25}<|end|>'));
  assert.ok(prompt.includes('<|start|>assistant<|channel|>final<|message|>It is 21°C.<|end|>'));
  assert.ok(prompt.endsWith('<|start|>assistant'));
});

test('response_format json_schema adds a Response Formats section; minimal effort maps to low', () => {
  const prompt = renderForCompletion(harmonyFromOpenAI({
    messages: [{ role: 'user', content: 'shape?' }],
    reasoning_effort: 'minimal',
    response_format: { type: 'json_schema', json_schema: { name: 'shape', description: 'A shape', schema: { type: 'object' } } },
  }));
  assert.ok(prompt.includes('Reasoning: low'));
  assert.ok(prompt.includes('<|start|>developer<|message|># Response Formats\n\n## shape\n\n// A shape\n{"type":"object"}<|end|>'));
});
