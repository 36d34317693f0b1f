/**
 * Issue 7, budgets and rate limits through the real gateway: 100 concurrent requests against a
 * nearly spent daily budget, and an rpm limit, each refused with 429, OpenAI's error shape and
 * Retry-After. Prices make every request's cost exact: input is free and output costs
 * $0.001 a token, the simulator sends exactly `chunks` tokens, and `max_tokens` caps the hold.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { simConfig, startGateway, startSim, type Proc } from '../../helpers/procs.js';
import { admin, clientFor, createKey, eventually, MASTER, msToNextMinute, outcome, spendOnce } from './governed.js';

const PRICE = { input: 0, output: 1000 }; // USD per million tokens: $0.001 per output token
const PER_TOKEN = PRICE.output / 1e6;
const LONG_TEXT = 'x'.repeat(200); // long enough for the simulator to split into any chunk count used here

/** A request whose output is exactly `tokens` tokens, held at `maxTokens` tokens. */
function exact(tokens: number, maxTokens: number): OpenAI.ChatCompletionCreateParamsNonStreaming {
  return {
    model: 'gpt-oss-20b',
    messages: [{ role: 'user', content: 'spend' }],
    max_tokens: maxTokens,
    sim: { chunks: tokens, text: LONG_TEXT },
  } as OpenAI.ChatCompletionCreateParamsNonStreaming;
}

/** Reads a stream to its end, so a streamed request counts as done only once it is. */
async function drain(p: Promise<AsyncIterable<unknown>>): Promise<void> {
  for await (const _ of await p) { /* consume */ }
}

describe('budgets and rate limits through the gateway', () => {
  let sim: Proc;
  let gw: Proc & { dbPath: string };

  before(async () => {
    sim = await startSim();
    gw = await startGateway(simConfig(sim.url, ['gpt-oss-20b'], PRICE), { env: { SWITCHYARD_MASTER_KEY: MASTER } });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  test('100 concurrent requests against a nearly spent budget never overrun it', async () => {
    const BUDGET = 0.1;
    const MAX_TOKENS = 10;
    const maxCost = MAX_TOKENS * PER_TOKEN; // $0.01: every request below really costs that much
    const key = await createKey(gw.origin, { name: 'nearly-spent', budget_day_usd: BUDGET });
    const client = clientFor(gw.url, key.secret);

    const first = await client.chat.completions.create(exact(65, 70));
    const firstCost = (first.usage as unknown as { cost: number }).cost;
    assert.ok(Math.abs(firstCost - 65 * PER_TOKEN) < 1e-12, `first request cost ${firstCost}`);
    // $0.035 left: room for three $0.01 requests, whatever order they arrive in.

    // Half of them stream: their hold is settled only when the stream ends.
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => outcome(i % 2
      ? client.chat.completions.create(exact(MAX_TOKENS, MAX_TOKENS))
      : drain(client.chat.completions.create({ ...exact(MAX_TOKENS, MAX_TOKENS), stream: true } as unknown as OpenAI.ChatCompletionCreateParamsStreaming)))));
    const ok = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status !== 200);
    for (const r of refused) {
      assert.deepEqual([r.status, r.code], [429, 'budget_exceeded']);
      assert.match(r.retryAfter ?? '', /^[1-9]\d*$/, 'Retry-After is a positive number of seconds');
    }
    assert.equal(ok, 3, `admitted ${ok} of 100`);

    const spend = await spendOnce(gw.origin, `group_by=key&key_id=${key.id}`, 1 + ok);
    const spent = spend.total.cost_usd;
    const overrun = spent - BUDGET;
    console.log(`# budget $${BUDGET}, spent $${spent.toFixed(6)} in ${spend.total.requests} requests: overrun $${overrun.toFixed(6)} (one request's max cost: $${maxCost})`);
    assert.ok(overrun <= maxCost + 1e-9, `overrun ${overrun} > one max cost ${maxCost}`);
    assert.ok(Math.abs(spent - (firstCost + ok * maxCost)) < 1e-9);

    // The budget's own counters agree, with no hold left behind.
    const status = (await admin(gw.origin, 'GET', `/admin/keys/${key.id}`)).body as { budget: { day: { spent_usd: number; reserved_usd: number; limit_usd: number } } };
    assert.ok(Math.abs(status.budget.day.spent_usd - spent) < 1e-9);
    assert.equal(status.budget.day.reserved_usd, 0);
    assert.equal(status.budget.day.limit_usd, BUDGET);

    // Spent out for today: Retry-After points at the next UTC midnight, not a second from now.
    const late = await outcome(client.chat.completions.create(exact(MAX_TOKENS, MAX_TOKENS)));
    assert.deepEqual([late.status, late.code], [429, 'budget_exceeded']);
    const untilMidnight = Math.ceil((86_400_000 - (Date.now() % 86_400_000)) / 1000);
    assert.ok(Math.abs(Number(late.retryAfter) - untilMidnight) <= 2, `Retry-After ${late.retryAfter} vs ${untilMidnight} s to midnight`);
  });

  test('requests that cost less than their hold give the rest back, and the budget still holds', async () => {
    const BUDGET = 0.1;
    const key = await createKey(gw.origin, { name: 'cheaper-than-held', budget_day_usd: BUDGET });
    const client = clientFor(gw.url, key.secret);
    await client.chat.completions.create(exact(65, 70));
    // Held at $0.01 (max_tokens 10), each really costs $0.004: settles free room for more.
    const results = await Promise.all(Array.from({ length: 100 }, () => outcome(client.chat.completions.create(exact(4, 10)))));
    const ok = results.filter((r) => r.status === 200).length;
    for (const r of results.filter((x) => x.status !== 200)) assert.deepEqual([r.status, r.code], [429, 'budget_exceeded']);
    // At least the three that fit by their holds; at most what fits by real cost ($0.035 / $0.004 → 8).
    assert.ok(ok >= 3 && ok <= 8, `admitted ${ok}`);
    // One at a time, the room the settled requests gave back is used until a $0.01 hold no longer fits.
    let more = 0;
    while (more < 20 && (await outcome(client.chat.completions.create(exact(4, 10)))).status === 200) more++;
    const spend = await spendOnce(gw.origin, `group_by=key&key_id=${key.id}`, 1 + ok + more);
    console.log(`# holds $0.01, real cost $0.004: ${ok} of 100 concurrent admitted, then ${more} more one by one; spent $${spend.total.cost_usd.toFixed(6)} of $${BUDGET}`);
    assert.ok(Math.abs(spend.total.cost_usd - (0.065 + (ok + more) * 0.004)) < 1e-9);
    assert.ok(spend.total.cost_usd <= BUDGET + 1e-9, `spent ${spend.total.cost_usd}`);
    assert.ok(spend.total.cost_usd + 0.01 > BUDGET, 'stopped only when a whole hold no longer fitted');
  });

  test('an upstream failure releases the hold and charges nothing', async () => {
    const key = await createKey(gw.origin, { name: 'one-request-budget', budget_day_usd: 10 * PER_TOKEN });
    const client = clientFor(gw.url, key.secret);
    const failed = await outcome(client.chat.completions.create({ ...exact(10, 10), sim: { fault: 'http_500' } } as OpenAI.ChatCompletionCreateParamsNonStreaming));
    assert.deepEqual([failed.status, failed.code], [502, 'upstream_error']);
    // The whole budget is one request's hold: this fits only if the failed request left nothing behind.
    const r = await client.chat.completions.create(exact(10, 10));
    assert.equal(r.usage?.completion_tokens, 10);
    const status = (await admin(gw.origin, 'GET', `/admin/keys/${key.id}`)).body as { budget: { day: { spent_usd: number; reserved_usd: number } } };
    assert.ok(Math.abs(status.budget.day.spent_usd - 10 * PER_TOKEN) < 1e-12);
    assert.equal(status.budget.day.reserved_usd, 0);
  });

  test('a stream the client cuts short releases its hold and is charged for what was generated', async () => {
    const key = await createKey(gw.origin, { name: 'impatient', budget_day_usd: 1 });
    const client = clientFor(gw.url, key.secret);
    const stream = await client.chat.completions.create({
      ...exact(100, 100), stream: true, sim: { chunks: 100, text: 'z'.repeat(400), chunk_interval_ms: 20 },
    } as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
    let seen = 0;
    // Leaving the loop makes the client abort the HTTP request.
    for await (const c of stream) if (c.choices[0]?.delta.content && ++seen === 3) break;
    const day = await eventually('the hold to be settled', async () => {
      const b = (await admin(gw.origin, 'GET', `/admin/keys/${key.id}`)).body as { budget: { day: { spent_usd: number; reserved_usd: number } } };
      return b.budget.day.reserved_usd === 0 ? b.budget.day : undefined;
    });
    // Estimated from the characters sent before the cut: more than nothing, less than the 100-token maximum.
    assert.ok(day.spent_usd > 0 && day.spent_usd < 100 * PER_TOKEN, `charged ${day.spent_usd}`);
  });

  test('rpm = 5: the sixth request in the minute is 429 rate_limit_exceeded with Retry-After', async () => {
    // Windows are aligned to the clock minute; start the six requests well inside one.
    if (msToNextMinute() < 3_000) await new Promise((r) => setTimeout(r, msToNextMinute() + 50));
    const key = await createKey(gw.origin, { name: 'five-a-minute', rpm: 5 });
    const client = clientFor(gw.url, key.secret);
    for (let i = 0; i < 5; i++) await client.chat.completions.create(exact(1, 1));
    const sixth = await outcome(client.chat.completions.create(exact(1, 1)));
    assert.deepEqual([sixth.status, sixth.code], [429, 'rate_limit_exceeded']);
    const retryAfter = Number(sixth.retryAfter);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${sixth.retryAfter}`);
    // The limit is the key's, not the gateway's: another key still gets through.
    const other = await createKey(gw.origin, { name: 'unlimited' });
    const r = await outcome(clientFor(gw.url, other.secret).chat.completions.create(exact(1, 1)));
    assert.equal(r.status, 200);
  });
});
