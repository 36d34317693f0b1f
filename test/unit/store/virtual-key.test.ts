import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  constantTimeEqual, generateSecret, hashSecret, isModelAllowed, keyIdOfSecret, secretMatches,
} from '../../../src/store/virtual-key.js';

test('secrets are unique, well-formed and name their key id', () => {
  const a = generateSecret();
  const b = generateSecret();
  assert.notEqual(a.secret, b.secret);
  assert.equal(keyIdOfSecret(a.secret), a.id);
  assert.ok(a.secret.startsWith(`sk-sy-${a.id}`));
  assert.equal(a.hint, `${a.secret.slice(0, 18)}…`);
  assert.deepEqual(a.hash, hashSecret(a.secret));
  assert.equal(a.hash.length, 32);
});

test('only the exact secret matches its stored hash', () => {
  const g = generateSecret();
  assert.equal(secretMatches(g.secret, g.hash), true);
  assert.equal(secretMatches(g.secret + 'x', g.hash), false);
  assert.equal(secretMatches(g.secret, g.hash.subarray(0, 31)), false, 'a truncated hash never matches');
  assert.equal(keyIdOfSecret(g.secret.toUpperCase()), null);
  assert.equal(keyIdOfSecret('Bearer ' + g.secret), null);
});

test('master key comparison', () => {
  assert.equal(constantTimeEqual('master', 'master'), true);
  assert.equal(constantTimeEqual('master', 'master '), false);
  assert.equal(constantTimeEqual('', 'x'), false);
});

test('allowed models: exact names and globs', () => {
  const key = { models: ['gpt-oss-*', 'qwen2.5-?b', 'kimi-k2'] };
  assert.equal(isModelAllowed(key, 'gpt-oss-20b'), true);
  assert.equal(isModelAllowed(key, 'gpt-oss-120b'), true);
  assert.equal(isModelAllowed(key, 'qwen2.5-7b'), true);
  assert.equal(isModelAllowed(key, 'qwen2.5-72b'), false, '? is one character');
  assert.equal(isModelAllowed(key, 'qwen2x5-7b'), false, 'a dot in a pattern is literal');
  assert.equal(isModelAllowed(key, 'kimi-k2'), true);
  assert.equal(isModelAllowed(key, 'kimi-k2-instruct'), false);
  assert.equal(isModelAllowed({ models: null }, 'anything'), true);
  assert.equal(isModelAllowed({ models: [] }, 'gpt-oss-20b'), false);
});
