/**
 * The one behaviour suite every Store backend runs (sqlite.test.ts, postgres.test.ts,
 * postgres-redis.test.ts). A backend that cannot pass a case must skip it with its reason.
 * One store per suite (creating a Postgres database per case would make the suite slow), so
 * every case works on keys of its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GatewayError } from '../../../src/core/errors.js';
import { WINDOW_MS } from '../../../src/store/memory-rate-limiter.js';
import type { Store, VirtualKey } from '../../../src/store/store.js';

export class TestClock {
  constructor(public t: number) {}
  readonly now = (): number => this.t;
  advance(ms: number): void { this.t += ms; }
}

export interface BackendHandle { store: Store; cleanup(): Promise<void> }
export type BackendFactory = (clock: TestClock) => Promise<BackendHandle>;

const RESERVATION_TTL_MS = 10 * 60_000;

async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

export function storeConformance(name: string, factory: BackendFactory, opts: { skip?: string | false } = {}): void {
  describe(`store conformance: ${name}`, { skip: opts.skip ?? false }, () => {
    // Start at noon UTC so no case crosses midnight by accident.
    const today = new Date();
    const clock = new TestClock(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 12, 0, 10));
    let store: Store;
    let handle: BackendHandle;
    const newKey = async (over: Partial<VirtualKey> = {}) => store.keys.createKey({ name: 'case', ...over });

    before(async () => {
      handle = await factory(clock);
      store = handle.store;
    });
    after(async () => {
      await handle?.cleanup();
    });

    test('a created key verifies with its secret and carries its policy', async () => {
      const { key, secret } = await newKey({
        name: 'billing-app', models: ['gpt-oss-*', 'qwen2.5-7b'], budgetDayUsd: 5, budgetMonthUsd: 100,
        rpm: 60, tpm: 100_000, localOnly: true, reasoning: 'exposed', metadata: { team: 'billing', user: 'ana' },
      });
      assert.match(secret, /^sk-sy-[0-9a-f]{12}[A-Za-z0-9_-]{43}$/);
      const got = await store.keys.verifyKey(secret);
      assert.ok(got);
      assert.equal(got.id, key.id);
      assert.deepEqual(
        { ...got, createdAt: 0 },
        {
          id: key.id, name: 'billing-app', hint: secret.slice(0, 18) + '…', models: ['gpt-oss-*', 'qwen2.5-7b'],
          budgetDayUsd: 5, budgetMonthUsd: 100, rpm: 60, tpm: 100_000, localOnly: true, reasoning: 'exposed',
          cache: false, metadata: { team: 'billing', user: 'ana' }, createdAt: 0, revokedAt: null,
        },
      );
    });

    test('defaults: every model, no limits, reasoning hidden, not local-only', async () => {
      const { key } = await newKey();
      assert.deepEqual(
        [key.models, key.budgetDayUsd, key.budgetMonthUsd, key.rpm, key.tpm, key.localOnly, key.reasoning, key.cache],
        [null, null, null, null, null, false, 'hidden', false],
      );
    });

    test('a wrong, truncated or foreign secret is rejected', async () => {
      const { secret } = await newKey();
      const last = secret.at(-1) === 'A' ? 'B' : 'A';
      assert.equal(await store.keys.verifyKey(secret.slice(0, -1) + last), null);
      assert.equal(await store.keys.verifyKey(secret.slice(0, -1)), null);
      assert.equal(await store.keys.verifyKey(''), null);
      assert.equal(await store.keys.verifyKey('sk-sy-000000000000' + 'x'.repeat(43)), null);
      assert.equal(await store.keys.verifyKey('sk-' + 'a'.repeat(60)), null);
    });

    test('the secret is never returned again: listings and lookups carry only a hint', async () => {
      const { key, secret } = await newKey({ name: 'shown-once' });
      const listed = (await store.keys.listKeys()).find((k) => k.id === key.id);
      assert.ok(listed);
      assert.ok(!JSON.stringify(listed).includes(secret.slice(18)));
      assert.ok(!JSON.stringify(await store.keys.getKey(key.id)).includes(secret.slice(18)));
    });

    test('a revoked key stops verifying and is listed as revoked', async () => {
      const { key, secret } = await newKey({ name: 'to-revoke' });
      assert.ok(await store.keys.verifyKey(secret));
      assert.equal(await store.keys.revokeKey(key.id), true);
      assert.equal(await store.keys.verifyKey(secret), null);
      assert.equal(await store.keys.revokeKey(key.id), false, 'a second revoke reports nothing to do');
      assert.equal(await store.keys.revokeKey('ffffffffffff'), false);
      const listed = (await store.keys.listKeys()).find((k) => k.id === key.id);
      assert.equal(listed?.revokedAt, clock.t);
    });

    test('invalid key input is refused with the parameter named', async () => {
      const err = await rejection(store.keys.createKey({ name: 'x', rpm: -1 }));
      assert.equal(err.code, 'invalid_parameter');
      assert.equal(err.param, 'rpm');
    });

    test('100 concurrent reservations on a nearly spent budget overrun it by at most one maximum cost', async () => {
      const { key } = await newKey({ budgetDayUsd: 1 });
      await store.budgets.settle(await store.budgets.reserve(key.id, 0.95), 0.95);
      const max = 0.02;
      const results = await Promise.allSettled(Array.from({ length: 100 }, () => store.budgets.reserve(key.id, max)));
      const won = results.filter((r) => r.status === 'fulfilled');
      for (const r of results) {
        if (r.status === 'rejected') {
          assert.ok(r.reason instanceof GatewayError);
          assert.equal(r.reason.code, 'budget_exceeded');
          assert.equal(r.reason.status, 429);
          assert.ok((r.reason.retryAfterSeconds ?? 0) >= 1);
        }
      }
      // $0.05 of room at $0.02 each: exactly two fit; the guarantee allows one more at most.
      assert.ok(won.length >= 1, 'room for at least one request');
      assert.ok(0.95 + won.length * max <= 1 + max + 1e-9, `${won.length} reservations overrun the budget`);
      assert.equal(won.length, 2);
      for (const r of won) await store.budgets.settle(r.value, max);
      const s = await store.budgets.status(key.id);
      assert.ok(s.day.spentUsd <= 1 + max + 1e-9);
      assert.ok(Math.abs(s.day.spentUsd - 0.99) < 1e-9);
      assert.equal(s.day.reservedUsd, 0);
    });

    test('settle records the real cost; release frees the hold at no cost', async () => {
      const { key } = await newKey({ budgetDayUsd: 1, budgetMonthUsd: 10 });
      const a = await store.budgets.reserve(key.id, 0.6);
      const blocked = await rejection(store.budgets.reserve(key.id, 0.6));
      assert.equal(blocked.code, 'budget_exceeded');
      assert.equal(blocked.retryAfterSeconds, 1, 'only an in-flight hold is in the way: retry soon');
      let s = await store.budgets.status(key.id);
      assert.equal(s.day.reservedUsd, 0.6);
      await store.budgets.release(a);
      const b = await store.budgets.reserve(key.id, 0.6);
      await store.budgets.settle(b, 0.25);
      s = await store.budgets.status(key.id);
      assert.deepEqual([s.day.limitUsd, s.day.spentUsd, s.day.reservedUsd], [1, 0.25, 0]);
      assert.deepEqual([s.month.limitUsd, s.month.spentUsd, s.month.reservedUsd], [10, 0.25, 0]);
    });

    test('a spent budget refuses until the period rolls over (Retry-After to midnight UTC)', async () => {
      const { key } = await newKey({ budgetDayUsd: 0.5 });
      await store.budgets.settle(await store.budgets.reserve(key.id, 0.5), 0.5);
      const err = await rejection(store.budgets.reserve(key.id, 0.01));
      const midnight = Date.UTC(new Date(clock.t).getUTCFullYear(), new Date(clock.t).getUTCMonth(), new Date(clock.t).getUTCDate() + 1);
      assert.equal(err.retryAfterSeconds, Math.ceil((midnight - clock.t) / 1000));
      assert.match(err.message, /daily budget/);
    });

    test('the monthly budget holds across days', async () => {
      const { key } = await newKey({ budgetDayUsd: 1, budgetMonthUsd: 1.5 });
      await store.budgets.settle(await store.budgets.reserve(key.id, 1), 1);
      // Move to another day of the same month (backwards on the month's last day).
      const DAY = 86_400_000;
      clock.advance(new Date(clock.t + DAY).getUTCMonth() === new Date(clock.t).getUTCMonth() ? DAY : -DAY);
      assert.equal((await store.budgets.status(key.id)).day.spentUsd, 0);
      const err = await rejection(store.budgets.reserve(key.id, 0.6));
      assert.match(err.message, /monthly budget/);
      assert.ok(await store.budgets.reserve(key.id, 0.5));
    });

    test('an unsettled reservation lapses after its TTL (a crashed instance leaks no budget)', async () => {
      const { key } = await newKey({ budgetDayUsd: 1 });
      await store.budgets.reserve(key.id, 0.9);
      await rejection(store.budgets.reserve(key.id, 0.9));
      clock.advance(RESERVATION_TTL_MS + 1);
      const r = await store.budgets.reserve(key.id, 0.9);
      assert.ok(r.expiresAt > clock.t);
      await store.budgets.release(r);
    });

    test('a key without budgets is never refused', async () => {
      const { key } = await newKey();
      const r = await store.budgets.reserve(key.id, 1_000_000);
      await store.budgets.settle(r, 3);
      assert.equal((await store.budgets.status(key.id)).day.spentUsd, 3);
    });

    test('requests per minute: the request past the limit is refused with Retry-After to the next window', async () => {
      const { key } = await newKey();
      const limits = { rpm: 3, tpm: null };
      const windowStart = clock.t - (clock.t % WINDOW_MS);
      for (let i = 0; i < 3; i++) assert.deepEqual(await store.rateLimiter.consume(key.id, limits, 10), { ok: true });
      const d = await store.rateLimiter.consume(key.id, limits, 10);
      assert.deepEqual(d, { ok: false, limit: 'rpm', retryAfterSeconds: Math.ceil((windowStart + WINDOW_MS - clock.t) / 1000) });
      // Another key has its own window.
      assert.deepEqual(await store.rateLimiter.consume((await newKey()).key.id, limits, 10), { ok: true });
      clock.advance(d.ok ? 0 : d.retryAfterSeconds * 1000);
      assert.deepEqual(await store.rateLimiter.consume(key.id, limits, 10), { ok: true });
    });

    test('tokens per minute count estimates and corrections', async () => {
      const { key } = await newKey();
      const limits = { rpm: null, tpm: 100 };
      clock.advance(WINDOW_MS - (clock.t % WINDOW_MS) + 1_000); // a fresh window
      assert.deepEqual(await store.rateLimiter.consume(key.id, limits, 60), { ok: true });
      const d = await store.rateLimiter.consume(key.id, limits, 60);
      assert.equal(d.ok, false);
      assert.equal(!d.ok && d.limit, 'tpm');
      assert.equal(!d.ok && d.retryAfterSeconds, 59);
      await store.rateLimiter.adjustTokens(key.id, -30); // the first request used 30, not 60
      assert.deepEqual(await store.rateLimiter.consume(key.id, limits, 60), { ok: true });
    });

    test('the response cache round-trips a body and a stream\'s chunks, and expires', async () => {
      const k = `case-${Math.random()}`;
      assert.equal(await store.cache.get(k), null);
      const body = { id: 'chatcmpl-1', choices: [{ index: 0, message: { role: 'assistant', content: 'héllo ✓' } }] };
      const chunks = ['{"choices":[{"delta":{"content":"hé"}}]}', '{"choices":[{"delta":{"content":"llo ✓"}}]}', '[DONE]'];
      await store.cache.set(k, { body, chunks, createdAt: clock.t }, 60);
      assert.deepEqual(await store.cache.get(k), { body, chunks, createdAt: clock.t });
      clock.advance(61_000);
      assert.equal(await store.cache.get(k), null);
    });

    test('spend aggregates per key, model, provider and day, within a time range', async () => {
      const a = (await newKey()).key.id;
      const b = (await newKey()).key.id;
      const day1 = Date.UTC(2025, 2, 1, 10);
      const day2 = Date.UTC(2025, 2, 2, 23, 59);
      const e = (ts: number, keyId: string | null, model: string, provider: string | null, cost: number) => ({
        ts, keyId, model, provider, inputTokens: 100, outputTokens: 20, reasoningTokens: 5, cachedTokens: 10, costUsd: cost,
      });
      await store.spend.recordSpend([
        e(day1, a, 'gpt-oss-20b', 'groq', 0.001), e(day1, a, 'gpt-oss-120b', 'together', 0.01),
        e(day2, b, 'gpt-oss-120b', 'together', 0.02), e(day2, null, 'qwen2.5-7b', null, 0),
      ]);
      await store.spend.recordSpend([]);
      const range = { from: Date.UTC(2025, 2, 1), to: Date.UTC(2025, 2, 3) };
      const byKey = await store.spend.spendSummary({ groupBy: 'key', ...range });
      assert.deepEqual(byKey.map((r) => [r.group, r.requests]), [[b, 1], [a, 2], [null, 1]]);
      assert.ok(Math.abs(byKey[1].costUsd - 0.011) < 1e-12);
      assert.deepEqual(byKey[1], { ...byKey[1], inputTokens: 200, outputTokens: 40, reasoningTokens: 10, cachedTokens: 20 });
      const byModel = await store.spend.spendSummary({ groupBy: 'model', ...range });
      assert.deepEqual(byModel.map((r) => [r.group, r.requests]), [['gpt-oss-120b', 2], ['gpt-oss-20b', 1], ['qwen2.5-7b', 1]]);
      const byProvider = await store.spend.spendSummary({ groupBy: 'provider', ...range });
      assert.deepEqual(byProvider.map((r) => r.group), ['together', 'groq', null]);
      const byDay = await store.spend.spendSummary({ groupBy: 'day', ...range });
      assert.deepEqual(byDay.map((r) => [r.group, r.requests]), [['2025-03-01', 2], ['2025-03-02', 2]]);
      const onlyA = await store.spend.spendSummary({ groupBy: 'model', ...range, keyId: a });
      assert.equal(onlyA.reduce((n, r) => n + r.requests, 0), 2);
      const day2Only = await store.spend.spendSummary({ groupBy: 'day', from: Date.UTC(2025, 2, 2), to: range.to });
      assert.deepEqual(day2Only.map((r) => r.group), ['2025-03-02']);
    });
  });
}
