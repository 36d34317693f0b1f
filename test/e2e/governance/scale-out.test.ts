/**
 * Issue 7, scale-out through the real gateway: two `switchyard serve` processes on one Postgres
 * (a throwaway database) and one Redis (a throwaway key prefix), configured only through
 * `storage: {postgres_url_env, redis_url_env, redis_prefix}`. Keys, a budget and a rate limit
 * are shared, under concurrent load from both sides; both instances log to Postgres.
 * Skipped with the reason when Postgres or Redis is unreachable, except under CI.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import pg from 'pg';
import { simConfig, startGateway, startSim, type Proc } from '../../helpers/procs.js';
import {
  probePostgres, probeRedis, skipUnlessReachable, testPgUrl, testRedisUrl, throwawayDatabase, throwawayRedisPrefix,
} from '../../helpers/services.js';
import { admin, clientFor, createKey, eventually, MASTER, msToNextMinute, outcome, spendOnce } from './governed.js';

const skip = skipUnlessReachable('postgres', testPgUrl, await probePostgres())
  || skipUnlessReachable('redis', testRedisUrl, await probeRedis());

const PRICE = { input: 0, output: 1000 }; // $0.001 per output token, input free: exact costs
const PER_TOKEN = PRICE.output / 1e6;

function exact(tokens: number, maxTokens: number): OpenAI.ChatCompletionCreateParamsNonStreaming {
  return {
    model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'shared' }], max_tokens: maxTokens,
    sim: { chunks: tokens, text: 'y'.repeat(200) },
  } as OpenAI.ChatCompletionCreateParamsNonStreaming;
}

describe('two gateways on one Postgres and one Redis', { skip }, () => {
  let sim: Proc;
  let a: Proc;
  let b: Proc;
  let db: Awaited<ReturnType<typeof throwawayDatabase>>;
  let ns: ReturnType<typeof throwawayRedisPrefix>;

  before(async () => {
    db = await throwawayDatabase();
    ns = throwawayRedisPrefix();
    sim = await startSim();
    const config = {
      ...simConfig(sim.url, ['gpt-oss-20b'], PRICE),
      storage: { postgres_url_env: 'SY_E2E_PG_URL', redis_url_env: 'SY_E2E_REDIS_URL', redis_prefix: ns.prefix, flush_interval_ms: 50 },
    };
    const env = { SY_E2E_PG_URL: db.url, SY_E2E_REDIS_URL: testRedisUrl, SWITCHYARD_MASTER_KEY: MASTER };
    // Started together on purpose: both create the schema at once (under an advisory lock).
    [a, b] = await Promise.all([startGateway(config, { env }), startGateway(config, { env })]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await sim?.stop();
    await ns?.cleanup();
    await db?.drop();
  });

  test('a key created through instance A works on B; revoked on A, B refuses it within the key cache TTL', async () => {
    const key = await createKey(a.origin, { name: 'made-on-a' });
    const onB = clientFor(b.url, key.secret);
    const r = await onB.chat.completions.create(exact(2, 2));
    assert.equal(r.choices[0].finish_reason, 'stop');
    const listedOnB = (await admin(b.origin, 'GET', '/admin/keys')).body.data as Array<{ id: string }>;
    assert.ok(listedOnB.some((k) => k.id === key.id));

    assert.equal((await admin(a.origin, 'DELETE', `/admin/keys/${key.id}`)).status, 200);
    const refused = await eventually('B to refuse the revoked key', async () => {
      const o = await outcome(onB.chat.completions.create(exact(1, 1)));
      return o.status === 200 ? undefined : o;
    }, { timeoutMs: 6_000, everyMs: 250 });
    assert.deepEqual([refused.status, refused.code], [401, 'invalid_api_key']);
  });

  test('one budget under concurrent load from both instances: never overrun by more than one max cost', async () => {
    const BUDGET = 0.1;
    const MAX_TOKENS = 10;
    const maxCost = MAX_TOKENS * PER_TOKEN;
    const key = await createKey(a.origin, { name: 'shared-budget', budget_day_usd: BUDGET });
    const onA = clientFor(a.url, key.secret);
    const onB = clientFor(b.url, key.secret);
    await onA.chat.completions.create(exact(65, 70)); // $0.065 spent: room for three more
    const fire = (c: OpenAI) => Array.from({ length: 50 }, () => outcome(c.chat.completions.create(exact(MAX_TOKENS, MAX_TOKENS))));
    const [fromA, fromB] = await Promise.all([Promise.all(fire(onA)), Promise.all(fire(onB))]);
    const all = [...fromA, ...fromB];
    for (const r of all.filter((x) => x.status !== 200)) {
      assert.deepEqual([r.status, r.code], [429, 'budget_exceeded']);
      assert.match(r.retryAfter ?? '', /^[1-9]\d*$/);
    }
    const ok = all.filter((r) => r.status === 200).length;
    assert.equal(ok, 3, `admitted ${ok} of 100 (A: ${fromA.filter((r) => r.status === 200).length}, B: ${fromB.filter((r) => r.status === 200).length})`);

    const spend = await spendOnce(b.origin, `group_by=key&key_id=${key.id}`, 1 + ok);
    const overrun = spend.total.cost_usd - BUDGET;
    console.log(`# scale-out budget $${BUDGET}: spent $${spend.total.cost_usd.toFixed(6)} in ${spend.total.requests} requests across A and B, overrun $${overrun.toFixed(6)} (one max cost $${maxCost})`);
    assert.ok(overrun <= maxCost + 1e-9, `overrun ${overrun}`);
    const status = (await admin(a.origin, 'GET', `/admin/keys/${key.id}`)).body as { budget: { day: { spent_usd: number; reserved_usd: number } } };
    assert.ok(Math.abs(status.budget.day.spent_usd - spend.total.cost_usd) < 1e-9);
    assert.equal(status.budget.day.reserved_usd, 0);
  });

  test('one rpm limit counts requests from both instances', async () => {
    if (msToNextMinute() < 3_000) await new Promise((r) => setTimeout(r, msToNextMinute() + 50));
    const key = await createKey(b.origin, { name: 'shared-rpm', rpm: 5 });
    const onA = clientFor(a.url, key.secret);
    const onB = clientFor(b.url, key.secret);
    const fire = (c: OpenAI) => Array.from({ length: 4 }, () => outcome(c.chat.completions.create(exact(1, 1))));
    const results = await Promise.all([...fire(onA), ...fire(onB)]);
    const refused = results.filter((r) => r.status !== 200);
    assert.equal(results.length - refused.length, 5, 'five of eight admitted across both instances');
    for (const r of refused) {
      assert.deepEqual([r.status, r.code], [429, 'rate_limit_exceeded']);
      assert.ok(Number(r.retryAfter) >= 1 && Number(r.retryAfter) <= 60, `Retry-After ${r.retryAfter}`);
    }
  });

  test('a response cached through A is answered from the cache on B (Redis)', async () => {
    const key = await createKey(a.origin, { name: 'shared-cache', cache: true });
    const body = { model: 'gpt-oss-20b', messages: [{ role: 'user' as const, content: 'cache me across instances' }] };
    const first = await clientFor(a.url, key.secret).chat.completions.create(body);
    // A writes the entry to Redis just after answering; B may ask a moment before it lands.
    const hit = await eventually('a cache hit on B', async () => {
      const r = await clientFor(b.url, key.secret).chat.completions.create(body).withResponse();
      return r.response.headers.get('x-switchyard-cache') === 'hit' ? r.data : undefined;
    }, { timeoutMs: 2_000 });
    assert.deepEqual(hit, first);
  });

  test("both instances' requests are in Postgres's request_log", async () => {
    const key = await createKey(a.origin, { name: 'logged' });
    const ids: string[] = [];
    for (const gw of [a, b, a, b]) {
      const { response } = await clientFor(gw.url, key.secret).chat.completions.create(exact(2, 2)).withResponse();
      ids.push(response.headers.get('x-request-id')!);
    }
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const rows = await eventually('the four requests in request_log', async () => {
        const r = await c.query<{ id: string; key_id: string; status: number; provider: string }>(
          'SELECT id, key_id, status, provider FROM request_log WHERE id = ANY($1)', [ids]);
        return r.rows.length === ids.length ? r.rows : undefined;
      });
      for (const row of rows) assert.deepEqual([row.key_id, row.status, row.provider], [key.id, 200, 'sim']);
      // Every request of this suite so far was logged, refused ones included (by the instance that refused it).
      const refused = await c.query<{ n: string }>("SELECT count(*) AS n FROM request_log WHERE error_code IN ('budget_exceeded', 'rate_limit_exceeded')");
      assert.ok(Number(refused.rows[0].n) >= 97 + 3);
    } finally {
      await c.end();
    }
  });
});

describe('one gateway on Postgres alone (no Redis)', { skip: skipUnlessReachable('postgres', testPgUrl, await probePostgres()) }, () => {
  let sim: Proc;
  let gw: Proc;
  let db: Awaited<ReturnType<typeof throwawayDatabase>>;

  before(async () => {
    db = await throwawayDatabase();
    sim = await startSim();
    gw = await startGateway({ ...simConfig(sim.url, ['gpt-oss-20b'], PRICE), storage: { postgres_url_env: 'SY_E2E_PG_URL' } },
      { env: { SY_E2E_PG_URL: db.url, SWITCHYARD_MASTER_KEY: MASTER } });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
    await db?.drop();
  });

  test('the budget holds under 100 concurrent requests (Postgres row lock) and spend lands in Postgres', async () => {
    const BUDGET = 0.1;
    const key = await createKey(gw.origin, { name: 'pg-budget', budget_day_usd: BUDGET });
    const client = clientFor(gw.url, key.secret);
    await client.chat.completions.create(exact(65, 70));
    const results = await Promise.all(Array.from({ length: 100 }, () => outcome(client.chat.completions.create(exact(10, 10)))));
    assert.equal(results.filter((r) => r.status === 200).length, 3);
    for (const r of results.filter((x) => x.status !== 200)) assert.deepEqual([r.status, r.code], [429, 'budget_exceeded']);
    const spend = await spendOnce(gw.origin, `group_by=key&key_id=${key.id}`, 4);
    assert.ok(spend.total.cost_usd - BUDGET <= 10 * PER_TOKEN + 1e-9);
    assert.ok(Math.abs(spend.total.cost_usd - 0.095) < 1e-9);
  });
});
