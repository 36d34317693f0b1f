/**
 * Issue 6, end to end: a real gateway in front of a simulator that injects 5xx, 429 with
 * Retry-After, hangs and resets, plus a healthy one. Every request must succeed, every request
 * must leave exactly one usage record (read from SQLite after a graceful SIGTERM), and a dead
 * deployment's circuit must open and stop its traffic.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { startGateway, startSim, type Proc } from '../../helpers/procs.js';
import { CHAOS_MODEL, chaosConfig, runLoad, simStats } from '../../helpers/chaos.js';

const REQUESTS = 300;

describe('under injected faults, one healthy deployment serves everything', () => {
  let faulty: Proc;
  let healthy: Proc;
  let gw: Proc & { dbPath: string };

  before(async () => {
    [faulty, healthy] = await Promise.all([startSim(['--chunks', '4']), startSim(['--chunks', '4'])]);
    gw = await startGateway(chaosConfig({ faultyUrl: faulty.url, healthyUrl: healthy.url }));
  });
  after(async () => {
    await gw?.stop();
    await Promise.all([faulty?.stop(), healthy?.stop()]);
  });

  test(`${REQUESTS} requests, half streaming: 100% served, one usage record each`, async () => {
    const r = await runLoad(gw.url, REQUESTS, 16);
    assert.deepEqual(r.failures, []);
    assert.equal(r.ok, REQUESTS);
    const f = await simStats(faulty.origin);
    assert.ok(f.faults > 20, `the faulty simulator injected only ${f.faults} faults`);

    assert.equal(await gw.stop(), 0, 'graceful exit on SIGTERM');
    assert.doesNotMatch(gw.output(), /internal error|fatal/i, 'no fault surfaced as a gateway bug');
    const db = new Database(gw.dbPath, { readonly: true });
    try {
      const rows = db.prepare('SELECT status, count(*) AS n FROM request_log GROUP BY status').all() as Array<{ status: number; n: number }>;
      assert.deepEqual(rows, [{ status: 200, n: REQUESTS }]);
      const failovers = (db.prepare(`SELECT count(*) AS n FROM request_log WHERE route LIKE '%failover after%'`).get() as { n: number }).n;
      assert.ok(failovers > 0, 'some requests must have failed over');
    } finally {
      db.close();
    }
  });
});

describe('circuit breaker', () => {
  let dead: Proc;
  let healthy: Proc;
  let gw: Proc;

  before(async () => {
    [dead, healthy] = await Promise.all([startSim(['--fault', 'http_500']), startSim()]);
    gw = await startGateway({
      reliability: { circuit_breaker: { consecutive_failures: 5, open_ms: 600_000 } },
      providers: [
        { id: 'dead', type: 'openai-compatible', base_url: dead.url },
        { id: 'healthy', type: 'openai-compatible', base_url: healthy.url },
      ],
      models: [{ name: 'm', deployments: [{ provider: 'dead', model: 'm' }, { provider: 'healthy', model: 'm' }] }],
    });
  });
  after(async () => {
    await gw?.stop();
    await Promise.all([dead?.stop(), healthy?.stop()]);
  });

  test('opens after consecutive failures and stops traffic to the dead deployment', async () => {
    const r = await runLoadOn(gw.url, 'm', 100);
    assert.equal(r, 100, 'every request was served by the healthy deployment');
    const d = await simStats(dead.origin);
    assert.equal(d.requests, 5, 'the dead deployment saw exactly consecutive_failures requests, then none');
    assert.equal((await simStats(healthy.origin)).requests, 100);
  });
});

async function runLoadOn(baseURL: string, model: string, n: number): Promise<number> {
  const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
    if (r.choices[0].message.content === 'You said: hi') ok++;
  }
  return ok;
}

describe('failures after the client got bytes', () => {
  let sim: Proc;
  let gw: Proc;
  let client: OpenAI;

  before(async () => {
    sim = await startSim(['--chunks', '6']);
    gw = await startGateway({
      reliability: { timeouts: { idle_ms: 300 } },
      providers: [
        { id: 's', type: 'openai-compatible', base_url: sim.url },
        { id: 'nowhere', type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1' }, // discard port: refused
      ],
      models: [
        { name: 'm', deployments: [{ provider: 's', model: 'm' }] },
        { name: 'broken', deployments: [{ provider: 'nowhere', model: 'x' }] },
      ],
    });
    client = new OpenAI({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop('SIGKILL'); // its stalled answer would keep it alive for a minute
  });

  async function streamUntilError(sim: Record<string, unknown>): Promise<{ text: string; error: Error | null }> {
    const body = { model: 'm', messages: [{ role: 'user' as const, content: 'abcdefghijkl' }], stream: true as const, sim }; // `sim` reaches the upstream
    const stream = await client.chat.completions.create(body);
    let text = '';
    try {
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      return { text, error: null };
    } catch (e) {
      return { text, error: e as Error };
    }
  }

  test('a reset mid-stream ends the stream with an OpenAI-shaped error event', async () => {
    const r = await streamUntilError({ fault: 'reset', fault_after: 2, chunk_interval_ms: 20 });
    assert.ok(r.text.length > 0, 'content arrived before the reset');
    assert.ok(r.error, 'the client saw an error, not a silently truncated answer');
    assert.match(r.error.message, /upstream/);
  });

  test('an upstream that stalls mid-stream hits the idle timeout: the client is never left hanging', async () => {
    const r = await streamUntilError({ chunk_interval_ms: 60_000 });
    assert.ok(r.error);
    assert.match(r.error.message, /stalled for 300 ms/);
  });

  test('the OpenRouter-style `models` field falls back to another model per request', async () => {
    const alone = await client.chat.completions.create({ model: 'broken', messages: [{ role: 'user', content: 'x' }] }).catch((e: Error) => e);
    assert.ok(alone instanceof OpenAI.APIError && alone.status === 503, 'the broken model alone fails');
    const body = { model: 'broken', models: ['m'], messages: [{ role: 'user' as const, content: 'x' }] };
    const { data, response } = await client.chat.completions.create(body).withResponse();
    assert.equal(data.choices[0].message.content, 'You said: x');
    assert.equal(response.headers.get('x-switchyard-model'), 'm');
    assert.match(response.headers.get('x-switchyard-route') ?? '', /failover after nowhere\/x/);
    assert.equal(((await simStats(sim.origin)) as { lastBody: Record<string, unknown> } & Awaited<ReturnType<typeof simStats>>).lastBody.models, undefined, 'not sent upstream');
  });
});
