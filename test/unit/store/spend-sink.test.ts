import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpendSink } from '../../../src/store/spend-sink.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import type { UsageRecord } from '../../../src/store/usage-record.js';

const usage = (over: Partial<UsageRecord>): UsageRecord => ({
  id: 'r', ts: Date.UTC(2025, 0, 1), keyId: 'k', model: 'gpt-oss-20b', servedModel: null, provider: 'groq',
  deployment: null, stream: false, status: 200, errorCode: null, inputTokens: 100, outputTokens: 10,
  reasoningTokens: 3, cachedTokens: 50, usageEstimated: false, costUsd: 0.002, latencyMs: 10, ttftMs: null,
  route: null, meta: null, ...over,
});

test('usage records become spend, written in batches off the request path', async () => {
  const store = new SqliteStore({ path: ':memory:' });
  const sink = new SpendSink(store.spend, { batchSize: 2 });
  sink.push(usage({}));
  sink.push(usage({ model: 'gpt-oss-120b', costUsd: 0.01, usageEstimated: true }));
  sink.push(usage({ status: 502, errorCode: 'upstream_error', inputTokens: 0, outputTokens: 0, costUsd: 0 }));
  sink.push(usage({ keyId: null, provider: 'local', costUsd: 0 }));
  await sink.close();
  assert.deepEqual(sink.stats(), { queued: 0, written: 3, dropped: 0, delayed: 0, failedWrites: 0 });
  const rows = await store.spend.spendSummary({ groupBy: 'model' });
  assert.deepEqual(rows.map((r) => [r.group, r.requests, r.inputTokens, r.cachedTokens, r.reasoningTokens]),
    [['gpt-oss-120b', 1, 100, 50, 3], ['gpt-oss-20b', 2, 200, 100, 6]]);
  await store.close();
});
