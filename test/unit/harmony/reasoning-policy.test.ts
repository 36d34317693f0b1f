/** Harmony events → StreamParts: analysis only ever as reasoning, tool calls by recipient on any channel. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HarmonyStreamParser } from '../../../src/harmony/stream-parser.js';
import { collectChoice, HarmonyPartMapper, toolNameOf } from '../../../src/harmony/reasoning-policy.js';
import { harmonyCompletion, type HarmonyMalformation } from '../../../src/sim/harmony-completions.js';
import { parseText } from '../../../src/harmony/parse.js';
import fc from 'fast-check';
import type { StreamPart } from '../../../src/core/types.js';

function partsOf(completion: string, chunk = 3, upstreamReason: string | null = 'stop'): StreamPart[] {
  const parser = new HarmonyStreamParser();
  let n = 0;
  const mapper = new HarmonyPartMapper({ newId: () => `call_${++n}` });
  const parts: StreamPart[] = [];
  for (let i = 0; i < completion.length; i += chunk) parts.push(...mapper.mapAll(parser.push(completion.slice(i, i + chunk))));
  parts.push(...mapper.mapAll(parser.end()), mapper.finish(upstreamReason));
  return parts;
}

const SECRET = 'SECRET-CHAIN-OF-THOUGHT';

test('analysis becomes reasoning, final becomes text, <|return|> finishes with stop', () => {
  const choice = collectChoice(partsOf(harmonyCompletion({ analysis: SECRET, final: 'The answer is 4.' })));
  assert.equal(choice.content, 'The answer is 4.');
  assert.equal(choice.reasoning, SECRET);
  assert.deepEqual(choice.finish, { unified: 'stop', raw: '<|return|>' });
});

test('a tool call: preamble is content, the call is a tool-call part, <|call|> finishes with tool_calls', () => {
  const parts = partsOf(harmonyCompletion({ analysis: SECRET, preamble: 'Checking the weather.', toolCall: { name: 'get_weather', args: { city: 'Tokyo' } } }));
  const choice = collectChoice(parts);
  assert.equal(choice.content, 'Checking the weather.');
  assert.deepEqual(choice.toolCalls, [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } }]);
  assert.deepEqual(choice.finish, { unified: 'tool_calls', raw: '<|call|>' });
  const first = parts.find((p) => p.type === 'tool-call');
  assert.deepEqual(first, { type: 'tool-call', index: 0, id: 'call_1', name: 'get_weather', argumentsDelta: '' });
});

for (const malformed of ['missing-message', 'no-header-refusal', 'stray-return', 'glued-constrain', 'tool-on-analysis'] as HarmonyMalformation[]) {
  test(`malformed ${malformed}: recovered, no analysis or control token in text or tool names`, () => {
    const withTool = malformed === 'glued-constrain' || malformed === 'tool-on-analysis';
    const completion = harmonyCompletion({
      analysis: malformed === 'no-header-refusal' ? undefined : SECRET,
      final: 'Final words.', malformed,
      ...(withTool ? { toolCall: { name: 'lookup', args: { q: 1 } } } : {}),
    });
    for (const chunk of [1, 5, 1000]) {
      const parts = partsOf(completion, chunk);
      for (const p of parts) {
        if (p.type === 'text') {
          assert.ok(!p.text.includes(SECRET), 'analysis leaked into text');
          assert.ok(!p.text.includes('<|'), `control token in text: ${p.text}`);
        }
        if (p.type === 'tool-call' && p.name !== undefined) assert.equal(p.name, 'lookup');
      }
      const choice = collectChoice(parts);
      if (withTool) {
        assert.equal(choice.toolCalls?.[0].function.arguments, '{"q":1}');
        assert.equal(choice.finish.unified, 'tool_calls');
      } else {
        assert.equal(choice.content, malformed === 'no-header-refusal' ? 'Final words.' : 'Final words.');
      }
    }
  });
}

test('upstream length without an end token finishes with length; tool names are cleaned', () => {
  const parts = partsOf('<|channel|>final<|message|>cut off mid', 4, 'length');
  assert.deepEqual(parts[parts.length - 1], { type: 'finish', reason: { unified: 'length', raw: 'length' } });
  assert.equal(toolNameOf('functions.get_weather'), 'get_weather');
  assert.equal(toolNameOf('functions.get_weather<|constrain|>json'), 'get_weather');
  assert.equal(toolNameOf('assistant'), undefined);
});

test('an unknown channel is treated as reasoning (fail closed)', () => {
  const choice = collectChoice(partsOf('<|channel|>scratchpad<|message|>hmm<|end|><|start|>assistant<|channel|>final<|message|>ok<|return|>'));
  assert.equal(choice.content, 'ok');
  assert.equal(choice.reasoning, 'hmm');
});

test('property: streamed parts, however chunked, classify exactly the batch-parsed messages', () => {
  const unit = fc.constantFrom('a', ' ', '\n', '<', '|', '>', 'é', '🦄');
  const text = fc.string({ unit, maxLength: 30 });
  const completion = fc.record({
    analysis: fc.option(text, { nil: undefined }),
    final: text,
    preamble: fc.option(text, { nil: undefined }),
    toolCall: fc.option(fc.record({ name: fc.constantFrom('f', 'g_h'), args: text }), { nil: undefined }),
    malformed: fc.constantFrom<HarmonyMalformation | undefined>(undefined, 'missing-message', 'no-header-refusal', 'stray-return', 'glued-constrain', 'tool-on-analysis'),
  }).map(harmonyCompletion);
  fc.assert(fc.property(completion, fc.integer({ min: 1, max: 9 }), (c, chunk) => {
    const choice = collectChoice(partsOf(c, chunk));
    const msgs = parseText(c).filter((m) => m.role === 'assistant');
    const isCall = (m: (typeof msgs)[number]) => toolNameOf(m.recipient) !== undefined;
    const expectText = msgs.filter((m) => !isCall(m) && (m.channel === undefined || m.channel === 'final' || m.channel === 'commentary')).map((m) => m.content).join('');
    const expectReasoning = msgs.filter((m) => !isCall(m) && !(m.channel === undefined || m.channel === 'final' || m.channel === 'commentary')).map((m) => m.content).join('');
    assert.equal(choice.content ?? '', expectText);
    assert.equal(choice.reasoning ?? '', expectReasoning);
    assert.deepEqual((choice.toolCalls ?? []).map((t) => t.function.arguments), msgs.filter(isCall).map((m) => m.content));
  }), { numRuns: 300 });
});
