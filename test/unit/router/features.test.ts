import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conversationTurns } from '../../../src/router/learned/conversation.js';
import { FeatureBuffer, DEFAULT_SPEC, extractFeatures, DENSE } from '../../../src/router/learned/features.js';

const spec = { ...DEFAULT_SPEC, hashBits: 16 };

function features(input: Parameters<typeof extractFeatures>[0]): Map<number, number> {
  const buf = new FeatureBuffer();
  extractFeatures(input, spec, buf);
  const m = new Map<number, number>();
  for (let k = 0; k < buf.n; k++) m.set(buf.idx[k], (m.get(buf.idx[k]) ?? 0) + buf.val[k]);
  return m;
}

test('a later turn changes the features: the whole conversation is read, not only the first turn', () => {
  const first = [{ role: 'user', content: 'hi there' }];
  const later = [...first, { role: 'assistant', content: 'Hello! How can I help?' },
    { role: 'user', content: 'Prove that there are infinitely many primes p with p ≡ 3 (mod 4).' }];
  const a = features(first);
  const b = features(later);
  const onlyLater = [...b.keys()].filter((k) => !a.has(k));
  assert.ok(onlyLater.length > 50, `later turns added ${onlyLater.length} features`);
  const buf = new FeatureBuffer();
  extractFeatures(later, spec, buf);
  assert.equal(buf.dense[DENSE.indexOf('turns')], 3);
  assert.equal(buf.dense[DENSE.indexOf('userTurns')], 2);
});

test('content parts and tool-call arguments count as text', () => {
  const turns = conversationTurns([
    { role: 'user', content: [{ type: 'text', text: 'first part' }, { type: 'image_url', image_url: { url: 'x' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: '1', type: 'function', function: { name: 'f', arguments: '{"q":"integral"}' } }] },
  ]);
  assert.equal(turns.length, 2);
  assert.equal(turns[0].text, 'first part');
  assert.match(turns[1].text, /integral/);
});

test('a plain prompt and the same text as one user message give the same features', () => {
  const p = 'How many apples does Sam have if he buys 3 bags of 12?';
  assert.deepEqual(features(p), features([{ role: 'user', content: p }]));
});

test('dense counts see numbers, answer choices and maths markers', () => {
  const buf = new FeatureBuffer();
  extractFeatures('Compute 12 + 7.5 * x = 3\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer:', spec, buf);
  assert.equal(buf.dense[DENSE.indexOf('choiceLines')], 4);
  assert.ok(buf.dense[DENSE.indexOf('numbers')] >= 7);
  assert.equal(buf.dense[DENSE.indexOf('decimals')], 1);
  assert.ok(buf.dense[DENSE.indexOf('mathOps')] >= 3);
});

test('a long system prompt does not dilute the question: only its length is counted', () => {
  const q = 'What is the derivative of x^3 sin(x)?';
  const system = 'You are a helpful assistant for ACME Corp. Always answer politely and cite sources. '.repeat(40);
  const withSystem = features([{ role: 'system', content: system }, { role: 'user', content: q }]);
  const alone = features(q);
  // Same hashed features except the length bins of the dense counts.
  const differing = [...new Set([...withSystem.keys(), ...alone.keys()])].filter((k) => withSystem.get(k) !== alone.get(k));
  assert.ok(differing.length <= 2, `${differing.length} features differ`);
  const buf = new FeatureBuffer();
  extractFeatures([{ role: 'system', content: system }, { role: 'user', content: q }], spec, buf);
  assert.equal(buf.dense[DENSE.indexOf('systemChars')], system.length);
  assert.equal(buf.dense[DENSE.indexOf('chars')], q.length);
});
