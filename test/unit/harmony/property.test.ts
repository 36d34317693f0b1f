/** Property: however a completion is cut into chunks (text, bytes, tokens), it parses to the same messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseText, parseTokens } from '../../../src/harmony/parse.js';
import { HarmonyStreamParser, type HarmonyEvent } from '../../../src/harmony/stream-parser.js';
import { encode } from '../../../src/harmony/tokens.js';
import { harmonyCompletion, type HarmonyMalformation } from '../../../src/sim/harmony-completions.js';
import type { ParsedMessage } from '../../../src/harmony/types.js';

// Characters that stress the lexer (`<`, `|`, `>`) and the UTF-8 paths (2-, 3-, 4-byte, ZWJ sequences).
const unit = fc.constantFrom('a', 'b', 'x', ' ', '\n', '<', '|', '>', '{', '"', 'é', '日', '🦄', '👍🏽', '\u200d');
const text = fc.string({ unit, maxLength: 40 });
// Occasionally long enough to pass the parser's 512-character header limit.
const answer = fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: fc.string({ unit, minLength: 300, maxLength: 700 }) });
const malformed = fc.constantFrom<HarmonyMalformation | undefined>(undefined, 'missing-message', 'no-header-refusal', 'stray-return', 'glued-constrain', 'tool-on-analysis');
const completion = fc.record({
  analysis: fc.option(text, { nil: undefined }),
  final: answer,
  preamble: fc.option(text, { nil: undefined }),
  toolCall: fc.option(fc.record({ name: fc.constantFrom('get_weather', 'lookup'), args: fc.dictionary(fc.constantFrom('q', 'n'), text) }), { nil: undefined }),
  malformed,
  includeStop: fc.boolean(),
}).map(harmonyCompletion);

function cut<T extends { length: number; slice(a: number, b?: number): T }>(whole: T, points: number[]): T[] {
  const at = [...new Set(points.map((p) => p % (whole.length + 1)))].sort((a, b) => a - b);
  const out: T[] = [];
  let prev = 0;
  for (const p of at) { out.push(whole.slice(prev, p)); prev = p; }
  out.push(whole.slice(prev));
  return out;
}

/** Messages from the parser, and a check that the streamed deltas add up to each message's content. */
function collect(feed: (p: HarmonyStreamParser) => (readonly HarmonyEvent[])[]): ParsedMessage[] {
  const p = new HarmonyStreamParser();
  const streamed = new Map<number, string>();
  for (const batch of [...feed(p), p.end()]) {
    for (const e of batch) if (e.type === 'content') streamed.set(e.index, (streamed.get(e.index) ?? '') + e.text);
  }
  p.messages.forEach((m, i) => assert.equal(streamed.get(i) ?? '', m.content));
  return p.messages;
}

const points = fc.array(fc.nat(), { maxLength: 12 });

test('text chunks: any split parses like the whole', () => {
  fc.assert(fc.property(completion, points, (c, ps) => {
    const whole = parseText(c);
    assert.deepEqual(collect((p) => cut(c, ps).map((chunk) => p.push(chunk))), whole);
  }), { numRuns: 300 });
});

test('byte chunks: multi-byte characters split across chunks are never corrupted', () => {
  fc.assert(fc.property(completion, points, (c, ps) => {
    const bytes = new TextEncoder().encode(c);
    const msgs = collect((p) => cut(bytes, ps).map((chunk) => p.pushBytes(chunk)));
    assert.deepEqual(msgs, parseText(c));
    assert.ok(msgs.every((m) => !m.content.includes('\uFFFD')));
  }), { numRuns: 300 });
});

test('token chunks: token ids parse like the text, one id at a time or in runs', () => {
  fc.assert(fc.property(completion, points, (c, ps) => {
    const ids = encode(c, { allowSpecial: true });
    const whole = parseTokens(ids);
    assert.deepEqual(whole, parseText(c));
    assert.deepEqual(collect((p) => cut(ids, ps).map((chunk) => p.pushTokens(chunk))), whole);
  }), { numRuns: 150 });
});

test('control tokens never reach content in lenient mode', () => {
  const controls = /<\|(start|end|message|channel|constrain|return|call)\|>/;
  fc.assert(fc.property(completion, (c) => {
    for (const m of parseText(c)) {
      assert.ok(!controls.test(m.content), m.content);
      assert.ok(!controls.test(m.recipient ?? ''), m.recipient);
    }
  }), { numRuns: 300 });
});

test('lenient parsing of arbitrary control-token soup never throws and never leaks control tokens', () => {
  const controls = /<\|(start|end|message|channel|constrain|return|call)\|>/;
  const piece = fc.oneof(
    fc.constantFrom('<|start|>', '<|end|>', '<|message|>', '<|channel|>', '<|constrain|>', '<|return|>', '<|call|>'),
    fc.constantFrom('assistant', 'user', 'tool', 'functions.f', 'to=functions.g', ' to=', 'analysis', 'final', 'commentary', 'json', ' ', '\n', '<|', '|>', '<', 'x y', '🦄'),
  );
  fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), fc.constantFrom<'assistant' | null>('assistant', null), points, (pieces, role, ps) => {
    const input = pieces.join('');
    const whole = parseText(input, { role });
    for (const m of whole) {
      for (const field of [m.content, m.recipient ?? '', m.channel ?? '', m.name ?? '', (m.contentType ?? '').replace(/^<\|constrain\|>/, '')]) assert.ok(!controls.test(field), JSON.stringify(m));
    }
    const p = new HarmonyStreamParser({ role });
    for (const chunk of cut(input, ps)) p.push(chunk);
    p.end();
    assert.deepEqual(p.messages, whole);
    assert.deepEqual(parseTokens(encode(input, { allowSpecial: true }), { role }), whole);
  }), { numRuns: 500 });
});
