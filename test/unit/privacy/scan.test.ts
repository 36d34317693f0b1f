import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan, scanMessages } from '../../../src/router/privacy/scan.js';
import type { ChatMessage } from '../../../src/core/types.js';

test('a text without personal data is not sensitive', () => {
  assert.deepEqual(scan('What is the capital of France? Answer in one word.'), { sensitive: false, entities: [] });
  assert.deepEqual(scan(''), { sensitive: false, entities: [] });
});

test('findings carry only type and offsets, sorted, never the value', () => {
  const text = 'Email a@example.com or call +44 20 7946 0958.';
  const { sensitive, entities } = scan(text);
  assert.equal(sensitive, true);
  for (const e of entities) assert.deepEqual(Object.keys(e).sort(), ['end', 'start', 'type']);
  assert.deepEqual(entities.map((e) => e.type), ['EMAIL', 'PHONE']);
  assert.ok(!JSON.stringify(entities).includes('example'));
});

test('offsets are UTF-16 code units, so text with emoji and accents slices back exactly', () => {
  const text = '😀 Ünïcödé — reach me at zoe@example.org';
  const [e] = scan(text).entities;
  assert.equal(e.start, text.indexOf('zoe@'));
  assert.equal(text.slice(e.start, e.end), 'zoe@example.org');
});

test('where findings overlap, the checksummed one wins over the looser one', () => {
  const { entities } = scan('NHS number 943 476 5919');
  assert.deepEqual(entities.map((e) => e.type), ['UK_NHS']);
});

test('scanMessages looks at string content, text parts and tool-call arguments, and reports kinds', () => {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: [{ type: 'text', text: 'My card is 4111 1111 1111 1111' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'mail', arguments: '{"to":"bob@example.com"}' } }] },
  ];
  assert.deepEqual(scanMessages(messages), { sensitive: true, types: ['CREDIT_CARD', 'EMAIL'] });
  assert.deepEqual(scanMessages([{ role: 'user', content: 'Explain photosynthesis.' }]), { sensitive: false, types: [] });
});

test('scanMessages can leave out roles, e.g. an operator system prompt with its own contact details', () => {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You are the help desk of Acme. Our hotline is +44 20 7946 0958.' },
    { role: 'user', content: 'How do I reset my password?' },
  ];
  assert.deepEqual(scanMessages(messages).types, ['PHONE']);
  assert.deepEqual(scanMessages(messages, { roles: ['user', 'assistant', 'tool'] }), { sensitive: false, types: [] });
});

test('a cue in one turn reaches the answer in the next', () => {
  const messages: ChatMessage[] = [
    { role: 'assistant', content: "What's your name?" },
    { role: 'user', content: 'Beatrix Veres' },
  ];
  assert.deepEqual(scanMessages(messages).types, ['PERSON']);
});

test('pathological inputs return (no catastrophic backtracking)', () => {
  const inputs = [
    '1 '.repeat(20000),
    '1'.repeat(50000),
    'a'.repeat(50000) + '@',
    'a@a.'.repeat(10000),
    `Dear ${'Abc '.repeat(10000)}`,
    '1-'.repeat(20000),
    '+('.repeat(10000) + '1',
    ':'.repeat(20000) + 'a',
    'ab12 '.repeat(10000),
    `my address is ${'9 '.repeat(20000)}`,
    'diagnosed with '.repeat(3000),
  ];
  for (const input of inputs) assert.equal(typeof scan(input).sensitive, 'boolean');
});
