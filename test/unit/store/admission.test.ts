import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../../src/core/errors.js';
import { admit } from '../../../src/store/admission.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';

async function refusal(p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(() => null, (e: unknown) => e);
  assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
  return err;
}

test('admission: model allow-list, then rate limit, then budget, each with its OpenAI error', async () => {
  const t = Date.UTC(2026, 0, 1, 9, 0, 15);
  const store = new SqliteStore({ path: ':memory:', now: () => t });
  const { key } = await store.createKey({ name: 'k', models: ['gpt-oss-*'], rpm: 2, budgetDayUsd: 0.05 });
  const req = { key, model: 'gpt-oss-20b', estimatedTokens: 500, maxCostUsd: 0.03 };

  const denied = await refusal(admit(store, { ...req, model: 'kimi-k2' }));
  assert.deepEqual([denied.status, denied.code, denied.param], [403, 'model_not_allowed', 'model']);

  const hold = await admit(store, req);
  const broke = await refusal(admit(store, req));
  assert.deepEqual([broke.status, broke.code, broke.retryAfterSeconds], [429, 'budget_exceeded', 1]);
  await store.settle(hold, 0.01);

  const limited = await refusal(admit(store, req));
  assert.deepEqual([limited.status, limited.code, limited.retryAfterSeconds], [429, 'rate_limit_exceeded', 45]);
  assert.deepEqual(limited.toJSON().error, {
    message: 'Rate limit reached for this key: 2 requests per minute. Retry after 45 s.',
    type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded',
  });
  await store.close();
});
