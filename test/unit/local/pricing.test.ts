import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localRequestCost } from '../../../src/local/pricing.js';

const usage = { inputTokens: 2_000, outputTokens: 500 };

test('a local deployment without a price costs nothing', () => {
  assert.equal(localRequestCost({}, usage, 12_000), 0);
});

test('a per-million-token price is charged like a cloud price', () => {
  assert.equal(localRequestCost({ price: { input: 0.1, output: 0.4 } }, usage, 12_000), (2_000 * 0.1 + 500 * 0.4) / 1e6);
});

test('a cost per hour is charged for the time the request held the model', () => {
  assert.equal(localRequestCost({ cost_per_hour: 3.6 }, usage, 10_000), 0.01);
});

test('the per-token price wins when both are set', () => {
  assert.equal(localRequestCost({ price: { input: 1, output: 1 }, cost_per_hour: 1000 }, usage, 1_000), 2_500 / 1e6);
});
