/** The harmony reference's inline parse/render cases 1–8 (fixtures README), plus the lenient recoveries of issue 4. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText, parseTokens } from '../../../src/harmony/parse.js';
import { HarmonyStreamParser, type HarmonyEvent } from '../../../src/harmony/stream-parser.js';
import { decode, encode, renderConversationTokens } from '../../../src/harmony/tokens.js';
import { renderConversation, renderForTraining } from '../../../src/harmony/render.js';
import type { HarmonyMessage } from '../../../src/harmony/types.js';

const getWeather = { role: 'assistant', channel: 'commentary', recipient: 'functions.get_weather', contentType: '<|constrain|>json' };

test('case 1: recipient after the channel with <|constrain|> glued on (batch, text stream, token stream)', () => {
  const text = '<|start|>assistant<|channel|>commentary to=functions.get_weather<|constrain|>json<|message|>{"latitude":48.8566,"longitude":2.3522}<|call|>';
  const expected = [{ ...getWeather, content: '{"latitude":48.8566,"longitude":2.3522}', end: 'call' }];
  assert.deepEqual(parseText(text, { role: null, strict: true }), expected);
  assert.deepEqual(parseTokens(encode(text, { allowSpecial: true }), { role: null, strict: true }), expected);
  const p = new HarmonyStreamParser({ role: null });
  for (const ch of text) p.push(ch);
  p.end();
  assert.deepEqual(p.messages, expected);
});

test('case 2: recipient in the role part', () => {
  const text = '<|start|>assistant to=functions.get_weather<|channel|>commentary<|constrain|>json<|message|>{"location": "Tokyo"}<|end|>';
  assert.deepEqual(parseText(text, { role: null, strict: true }), [{ ...getWeather, content: '{"location": "Tokyo"}', end: 'end' }]);
});

test('case 3: a space before <|constrain|> round-trips token for token', () => {
  const text = '<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{"location": "Tokyo"}<|call|>';
  const [m] = parseText(text, { role: null, strict: true });
  const msg: HarmonyMessage = { role: m.role, channel: m.channel, recipient: m.recipient, contentType: m.contentType, content: m.content };
  assert.equal(renderConversation([msg]), text);
  assert.deepEqual(renderConversationTokens([msg]), encode(text, { allowSpecial: true }));
});

test('case 4: a header with no <|message|> errors when strict, is content when lenient', () => {
  const text = '<|channel|>commentary Hello<|end|>';
  assert.throws(() => parseText(text, { strict: true }));
  assert.deepEqual(parseText(text), [{ role: 'assistant', channel: 'commentary', content: 'Hello', end: 'end' }]);
});

test('case 5: a refusal with no header: strict error, lenient three messages', () => {
  const text = "I must refuse<|end|><|start|>assistant<|channel|>analysis<|message|>We must refuse<|end|><|start|>assistant<|channel|>final<|message|>I'm sorry, but I can't help with that.<|return|>";
  assert.throws(() => parseText(text, { strict: true }), /unexpected tokens remaining in message header/);
  const ms = parseText(text);
  assert.equal(ms.length, 3);
  assert.deepEqual(ms[0], { role: 'assistant', content: 'I must refuse', end: 'end' });
  assert.equal(ms[1].channel, 'analysis');
  assert.deepEqual(ms[2], { role: 'assistant', channel: 'final', content: "I'm sorry, but I can't help with that.", end: 'return' });
});

test('case 6: UTF-8 across tokens: no delta until a character is complete; leftovers become U+FFFD', () => {
  const head = encode('<|channel|>final<|message|>', { allowSpecial: true });
  const unicorn = encode('🦄'); // three tokens, none valid UTF-8 alone
  assert.equal(unicorn.length, 3);
  const p = new HarmonyStreamParser();
  p.pushTokens(head);
  const deltas: string[] = [];
  for (const id of unicorn) for (const e of p.pushTokens([id])) if (e.type === 'content') deltas.push(e.text);
  assert.deepEqual(deltas, ['🦄']);

  // A partial character does not leak into the next message.
  const partial = [...head, unicorn[0], ...encode('<|end|><|start|>assistant<|channel|>final<|message|>ok', { allowSpecial: true })];
  assert.deepEqual(parseTokens(partial).map((m) => m.content), ['\uFFFD', 'ok']);
  // Bytes pending at EOS become U+FFFD.
  assert.deepEqual(parseTokens([...head, ...encode('a'), unicorn[0], unicorn[1]]).map((m) => m.content), ['a\uFFFD']);
  // An invalid token id appends U+FFFD.
  assert.deepEqual(parseTokens([...head, ...encode('b'), 99999999]).map((m) => m.content), ['b\uFFFD']);
});

test('case 7: reserved ids, plain encoding and special tokens', () => {
  assert.equal(decode([200014]), '<|reserved_200014|>');
  assert.equal(decode([201088]), '<|reserved_201088|>');
  assert.deepEqual(encode('hello world'), [24912, 2375]);
  assert.deepEqual(encode('<|start|>', { allowSpecial: true }), [200006]);
  assert.deepEqual(encode('<|start|>'), [27, 91, 5236, 91, 29]);
  assert.deepEqual(encode('a<|message|>b', { allowSpecial: true }), [64, 200008, 65]);
});

test('case 8: training rendering ends a final answer with <|return|>, otherwise unchanged', () => {
  const convo: HarmonyMessage[] = [{ role: 'user', content: 'hi' }, { role: 'assistant', channel: 'final', content: 'hello' }];
  assert.equal(renderForTraining(convo), renderConversation(convo).replace(/<\|end\|>$/, '<|return|>'));
  assert.ok(renderForTraining(convo).endsWith('hello<|return|>'));
  const open: HarmonyMessage[] = [{ role: 'user', content: 'hi' }];
  assert.equal(renderForTraining(open), renderConversation(open));
});

test('lenient: stray <|return|> after <|end|>, missing <|end|>, glued channel, never a throw', () => {
  assert.deepEqual(parseText('<|channel|>final<|message|>Hi<|end|><|return|>').map((m) => m.content), ['Hi']);
  const missingEnd = parseText('<|channel|>analysis<|message|>think<|start|>assistant<|channel|>final<|message|>answer<|return|>');
  assert.deepEqual(missingEnd.map((m) => [m.channel, m.content]), [['analysis', 'think'], ['final', 'answer']]);
  const noRestart = parseText('<|channel|>analysis<|message|>think<|channel|>final<|message|>answer');
  assert.deepEqual(noRestart.map((m) => [m.channel, m.content]), [['analysis', 'think'], ['final', 'answer']]);
  for (const garbage of ['<|message|><|message|>', '<|start|><|start|>', '<|channel|><|end|>', '<|constrain|>', '<|start|>x y z<|message|>', '\u0000<|']) {
    assert.doesNotThrow(() => parseText(garbage));
  }
});

test('streaming holds back only a possible partial control token', () => {
  const p = new HarmonyStreamParser();
  p.push('<|channel|>final<|message|>');
  const events: readonly HarmonyEvent[] = p.push('Hello <|ch');
  assert.deepEqual(events.filter((e) => e.type === 'content').map((e) => e.type === 'content' && e.text), ['Hello ']);
  const more = p.push('air|> is not a token');
  assert.deepEqual(more.filter((e) => e.type === 'content').map((e) => e.type === 'content' && e.text), ['<|chair|> is not a token']);
});

test('lenient: headerless text streams once it cannot be a header (a newline, or 512 characters)', () => {
  const p = new HarmonyStreamParser();
  const first = p.push("I'm sorry, but I can't help with that.\nHere is why");
  assert.deepEqual(first.filter((e) => e.type === 'content').map((e) => e.type === 'content' && e.text), ["I'm sorry, but I can't help with that.\nHere is why"]);
  p.push('.<|end|>');
  assert.deepEqual(p.messages, [{ role: 'assistant', content: "I'm sorry, but I can't help with that.\nHere is why.", end: 'end' }]);

  const q = new HarmonyStreamParser();
  const long = 'x'.repeat(600);
  const events = q.push(long);
  assert.ok(events.some((e) => e.type === 'message-start'));
  assert.deepEqual(q.end().map((e) => e.type), ['message-end']);
  assert.equal(q.messages[0].content, long);

  // A lost <|message|> on a tool call still yields the call with its arguments.
  const [call] = parseText('<|channel|>commentary to=functions.f <|constrain|>json {"a": 1}<|call|>');
  assert.deepEqual(call, { role: 'assistant', channel: 'commentary', recipient: 'functions.f', contentType: '<|constrain|>json', content: '{"a": 1}', end: 'call' });
});

test('lenient: a lone content-type word is not mistaken for a recipient', () => {
  assert.deepEqual(parseText('<|channel|>final json<|message|>{"a":1}<|return|>'), [{ role: 'assistant', channel: 'final', contentType: 'json', content: '{"a":1}', end: 'return' }]);
  assert.equal(parseText('<|channel|>final json<|message|>{}', { strict: true })[0].recipient, 'json');
});
