/**
 * Issue 7, spend accounting through the real gateway: what the openai client was told (tokens,
 * `usage.cost`) is what `/admin/spend` and `switchyard spend` report, grouped by key, model,
 * provider and day; reasoning tokens are counted; an upstream that reports no usage is still
 * accounted and costed from the gateway's own estimate.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type OpenAI from 'openai';
import { startGateway, startSim, type Proc } from '../../helpers/procs.js';
import { cli, clientFor, createKey, eventually, MASTER, spendOnce, type SpendTotals } from './governed.js';

const PRICE_OSS = { input: 0.5, output: 2 };
const PRICE_QWEN = { input: 0.25, output: 1 };

interface Seen { key: string; model: string; provider: string; input: number; output: number; reasoning: number; cost: number; estimated: boolean; requestId: string }

type Usage = OpenAI.CompletionUsage & { cost: number; estimated?: boolean };

describe('spend accounting through the gateway', () => {
  let sim: Proc;
  let gw: Proc & { dbPath: string };
  const seen: Seen[] = [];

  before(async () => {
    sim = await startSim(['--chunks', '3']);
    // Two providers (the same simulator twice) so grouping by provider has something to separate.
    gw = await startGateway({
      providers: [
        { id: 'sim-a', type: 'openai-compatible', base_url: sim.url },
        { id: 'sim-b', type: 'openai-compatible', base_url: sim.url },
      ],
      models: [
        { name: 'gpt-oss-20b', deployments: [{ provider: 'sim-a', model: 'gpt-oss-20b', price: PRICE_OSS }] },
        { name: 'qwen2.5-7b-instruct', deployments: [{ provider: 'sim-b', model: 'qwen2.5-7b-instruct', price: PRICE_QWEN }] },
      ],
    }, { env: { SWITCHYARD_MASTER_KEY: MASTER } });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  async function complete(key: { id: string; secret: string }, model: string, simOpts: Record<string, unknown>, content: string): Promise<Usage> {
    const { data, response } = await clientFor(gw.url, key.secret).chat.completions.create({
      model, messages: [{ role: 'user', content }], sim: simOpts,
    } as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse();
    const u = data.usage as Usage;
    seen.push({ key: key.id, model, provider: response.headers.get('x-switchyard-provider')!, input: u.prompt_tokens, output: u.completion_tokens,
      reasoning: u.completion_tokens_details?.reasoning_tokens ?? 0, cost: u.cost, estimated: u.estimated === true, requestId: response.headers.get('x-request-id')! });
    return u;
  }

  async function stream(key: { id: string; secret: string }, model: string, simOpts: Record<string, unknown>, content: string): Promise<Usage> {
    const { data, response } = await clientFor(gw.url, key.secret).chat.completions.create({
      model, messages: [{ role: 'user', content }], stream: true, stream_options: { include_usage: true }, sim: simOpts,
    } as unknown as OpenAI.ChatCompletionCreateParamsStreaming).withResponse();
    let u: Usage | undefined;
    for await (const chunk of data) if (chunk.usage) u = chunk.usage as Usage;
    assert.ok(u, 'the stream ends with usage');
    seen.push({ key: key.id, model, provider: response.headers.get('x-switchyard-provider')!, input: u.prompt_tokens, output: u.completion_tokens,
      reasoning: u.completion_tokens_details?.reasoning_tokens ?? 0, cost: u.cost, estimated: u.estimated === true, requestId: response.headers.get('x-request-id')! });
    return u;
  }

  test('requests of two keys on two models and providers, with reasoning and without upstream usage', async () => {
    const alice = await createKey(gw.origin, { name: 'alice', metadata: { team: 'a' } });
    const bob = await createKey(gw.origin, { name: 'bob' });

    const plain = await complete(alice, 'gpt-oss-20b', {}, 'count my tokens');
    assert.ok(plain.prompt_tokens > 0 && plain.completion_tokens === 3);
    assert.ok(Math.abs(plain.cost - (plain.prompt_tokens * PRICE_OSS.input + 3 * PRICE_OSS.output) / 1e6) < 1e-12);

    const thought = await complete(alice, 'gpt-oss-20b', { reasoning: 'Let me think about this carefully.' }, 'think first');
    assert.ok((thought.completion_tokens_details?.reasoning_tokens ?? 0) > 0, 'the upstream reported reasoning tokens');

    await stream(bob, 'qwen2.5-7b-instruct', {}, 'stream it');
    await stream(bob, 'gpt-oss-20b', { reasoning: 'Streaming thoughts, too.' }, 'stream and think');

    // No usage from the upstream: the gateway counts for itself, says so, and still charges.
    const blind = await complete(bob, 'qwen2.5-7b-instruct', { usage: false, reasoning: 'Thinking without a meter.' }, 'no usage from upstream please');
    assert.equal(blind.estimated, true);
    assert.ok((blind.completion_tokens_details?.reasoning_tokens ?? 0) > 0, 'reasoning tokens are estimated');
    assert.ok(blind.prompt_tokens > 0 && blind.completion_tokens > 0);
    assert.ok(blind.cost > 0);
    assert.ok(Math.abs(blind.cost - (blind.prompt_tokens * PRICE_QWEN.input + blind.completion_tokens * PRICE_QWEN.output) / 1e6) < 1e-12);
    const blindStream = await stream(alice, 'gpt-oss-20b', { usage: false, reasoning: 'Hidden musings of some length.' }, 'no usage, streamed');
    assert.equal(blindStream.estimated, true);
    assert.ok(blindStream.cost > 0);
    assert.ok((blindStream.completion_tokens_details?.reasoning_tokens ?? 0) > 0, 'reasoning tokens are estimated too');
  });

  const sum = (rows: Seen[]): Omit<SpendTotals, 'cached_tokens'> => rows.reduce((t, r) => ({
    requests: t.requests + 1, input_tokens: t.input_tokens + r.input, output_tokens: t.output_tokens + r.output,
    reasoning_tokens: t.reasoning_tokens + r.reasoning, cost_usd: t.cost_usd + r.cost,
  }), { requests: 0, input_tokens: 0, output_tokens: 0, reasoning_tokens: 0, cost_usd: 0 });

  function assertRowsMatch(where: string, rows: Array<SpendTotals & { group: string | null }>, groupOf: (s: Seen) => string): void {
    const expected = new Map<string, Seen[]>();
    for (const s of seen) expected.set(groupOf(s), [...(expected.get(groupOf(s)) ?? []), s]);
    assert.deepEqual(rows.map((r) => r.group).sort(), [...expected.keys()].sort(), `${where}: groups`);
    for (const r of rows) {
      const want = sum(expected.get(r.group!)!);
      const { cost_usd: cost, ...counts } = want;
      assert.deepEqual({ requests: r.requests, input_tokens: r.input_tokens, output_tokens: r.output_tokens, reasoning_tokens: r.reasoning_tokens }, counts, `${where}: ${r.group}`);
      assert.equal(r.cached_tokens, 0);
      assert.ok(Math.abs(r.cost_usd - cost) < 1e-9, `${where}: ${r.group} cost ${r.cost_usd} vs ${cost}`);
    }
  }

  const today = () => new Date().toISOString().slice(0, 10);
  const GROUPINGS: Array<[string, (s: Seen) => string]> = [['key', (s) => s.key], ['model', (s) => s.model], ['provider', (s) => s.provider], ['day', () => today()]];

  test('GET /admin/spend?group_by=key|model|provider|day agrees with what the client saw', async () => {
    assert.equal(seen.length, 6);
    for (const [by, groupOf] of GROUPINGS) {
      const spend = await spendOnce(gw.origin, `group_by=${by}`, seen.length);
      assertRowsMatch(`/admin/spend by ${by}`, spend.data, groupOf);
      assert.ok(Math.abs(spend.total.cost_usd - sum(seen).cost_usd) < 1e-9);
    }
  });

  test('`switchyard spend --json` on the same database agrees too', async () => {
    for (const [by, groupOf] of GROUPINGS) {
      const out = JSON.parse(await cli(['spend', '--db', gw.dbPath, '--by', by, '--json'])) as { data: Array<SpendTotals & { group: string | null }> };
      assertRowsMatch(`switchyard spend --by ${by}`, out.data, groupOf);
    }
  });

  test('the request log marks the estimated records and keeps reasoning tokens', async () => {
    const db = new Database(gw.dbPath, { readonly: true });
    try {
      const rows = await eventually('every request in the request log', async () => {
        const all = db.prepare('SELECT id, key_id, reasoning_tokens, usage_estimated, cost_usd FROM request_log').all() as Array<{ id: string; key_id: string; reasoning_tokens: number; usage_estimated: number; cost_usd: number }>;
        return all.length >= seen.length ? all : undefined;
      });
      for (const s of seen) {
        const row = rows.find((r) => r.id === s.requestId);
        assert.ok(row, `request ${s.requestId} logged`);
        assert.equal(row.key_id, s.key);
        assert.equal(row.usage_estimated, s.estimated ? 1 : 0);
        assert.equal(row.reasoning_tokens, s.reasoning);
        assert.ok(Math.abs(row.cost_usd - s.cost) < 1e-12);
      }
    } finally {
      db.close();
    }
  });
});
