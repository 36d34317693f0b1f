import assert from 'node:assert/strict';
import { test } from 'node:test';
import { responseCacheKey } from '../../../src/store/response-cache-key.js';

const req = { model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'hi' }], temperature: 0 };

test('the same request in any key order gives the same cache key', () => {
  const reordered = { temperature: 0, messages: [{ content: 'hi', role: 'user' }], model: 'gpt-oss-20b' };
  assert.equal(responseCacheKey(req, 's'), responseCacheKey(reordered, 's'));
  assert.match(responseCacheKey(req, 's'), /^[0-9a-f]{64}$/);
});

test('anything that changes the answer changes the key; caller identity does not', () => {
  const k = responseCacheKey(req, 's');
  assert.notEqual(responseCacheKey({ ...req, temperature: 0.5 }, 's'), k);
  assert.notEqual(responseCacheKey({ ...req, model: 'gpt-oss-120b' }, 's'), k);
  assert.notEqual(responseCacheKey({ ...req, messages: [{ role: 'user', content: 'hi!' }] }, 's'), k);
  assert.notEqual(responseCacheKey({ ...req, stream: true }, 's'), k, 'streams replay chunks, so they are cached apart');
  assert.notEqual(responseCacheKey(req, 'other-scope'), k);
  assert.equal(responseCacheKey({ ...req, user: 'u-1', metadata: { a: 1 } }, 's'), k);
  assert.equal(responseCacheKey({ ...req, seed: undefined }, 's'), k);
});
