/**
 * Issue 5 end to end: the built-in `auto` model and configured virtual models choose a candidate
 * per request (quality knob, capability and context filters), cascades escalate when checks fail,
 * and requests carrying personal data never leave local deployments.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Database from 'better-sqlite3';
import { startGateway, startSim, type Proc } from '../../helpers/procs.js';

describe('auto-routing, cascades and privacy routing', () => {
  let reflexSim: Proc;      // cloud, cheap, answers "not json"
  let thinkingSim: Proc;    // cloud, dear, answers valid JSON
  let localSim: Proc;       // the user's own hardware
  let gw: Proc & { dbPath: string };
  let client: OpenAI;

  before(async () => {
    [reflexSim, thinkingSim, localSim] = await Promise.all([
      startSim(['--text', 'reflex answer, not json']),
      startSim(['--text', '{"ok": true}']),
      startSim(['--text', 'answered on local hardware']),
    ]);
    gw = await startGateway({
      providers: [
        { id: 'cheap', type: 'openai-compatible', base_url: reflexSim.url, locality: 'cloud' },
        { id: 'dear', type: 'openai-compatible', base_url: thinkingSim.url, locality: 'cloud' },
        { id: 'home', type: 'openai-compatible', base_url: localSim.url, locality: 'local' },
      ],
      models: [
        { name: 'gpt-oss-20b', deployments: [{ provider: 'cheap', model: 'gpt-oss-20b', price: { input: 0.05, output: 0.2 }, context_window: 200, capabilities: { tools: true } }] },
        { name: 'gpt-oss-120b', deployments: [{ provider: 'dear', model: 'gpt-oss-120b', price: { input: 1, output: 4 }, context_window: 131072, capabilities: { tools: false } }] },
        { name: 'qwen-local', deployments: [{ provider: 'home', model: 'qwen', price: { input: 0, output: 0 } }] },
      ],
      routing: {
        virtual_models: [
          { name: 'smart', mode: 'learned', candidates: [{ model: 'gpt-oss-20b', tier: 'reflex' }, { model: 'gpt-oss-120b', tier: 'thinking' }] },
          { name: 'careful', mode: 'cascade', candidates: [{ model: 'gpt-oss-20b', tier: 'reflex' }, { model: 'gpt-oss-120b', tier: 'thinking' }] },
          { name: 'private-first', mode: 'order', candidates: [{ model: 'gpt-oss-20b' }, { model: 'qwen-local' }] },
        ],
      },
    });
    client = new OpenAI({ baseURL: gw.url, apiKey: 'x', maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await Promise.all([reflexSim?.stop(), thinkingSim?.stop(), localSim?.stop()]);
  });

  const ask = (model: string, content: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content }], ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming, { headers }).withResponse();

  test('the quality knob moves a request between reflex and thinking, and the response says why', async () => {
    const low = await ask('smart', 'What is the capital of France?', { 'x-switchyard-quality': '0' });
    assert.equal(low.response.headers.get('x-switchyard-model'), 'gpt-oss-20b');
    assert.match(low.response.headers.get('x-switchyard-route')!, /router score .* threshold .* reflex gpt-oss-20b/);
    assert.ok(Number(low.response.headers.get('x-switchyard-saving-usd')) > 0, 'a saving against the strongest candidate');
    assert.equal(low.response.headers.get('x-switchyard-strongest-model'), 'gpt-oss-120b');
    assert.ok(Number(low.response.headers.get('x-switchyard-estimated-cost-usd')) > 0);

    const high = await ask('smart', 'What is the capital of France?', { 'x-switchyard-quality': '1' });
    assert.equal(high.response.headers.get('x-switchyard-model'), 'gpt-oss-120b');
    assert.equal(Number(high.response.headers.get('x-switchyard-saving-usd')), 0);

    // The same knob in the body (never forwarded upstream).
    const body = await ask('smart', 'hi', {}, { switchyard: { quality: 1 } });
    assert.equal(body.response.headers.get('x-switchyard-model'), 'gpt-oss-120b');
    const stats = await (await fetch(`${thinkingSim.origin}/sim/stats`)).json() as { lastBody: Record<string, unknown> };
    assert.equal(stats.lastBody.switchyard, undefined);
  });

  test('capability and context filters override the router', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    const r = await ask('smart', 'hard question', { 'x-switchyard-quality': '1' }, { tools });
    assert.equal(r.response.headers.get('x-switchyard-model'), 'gpt-oss-20b', 'the thinking model has no tools');
    const long = await ask('smart', 'word '.repeat(400), { 'x-switchyard-quality': '0' });
    assert.equal(long.response.headers.get('x-switchyard-model'), 'gpt-oss-120b', 'the reflex model\'s 200-token window is too small');
  });

  test('auto is built in over every configured model', async () => {
    const r = await ask('auto', 'hello', { 'x-switchyard-quality': '0' });
    assert.ok(r.response.headers.get('x-switchyard-route')!.startsWith('auto:'));
  });

  test('cascade escalates when the reflex answer fails the JSON check, with both attempts\' usage', async () => {
    const r = await ask('careful', 'give me json', {}, { response_format: { type: 'json_object' } });
    assert.equal(r.data.choices[0].message.content, '{"ok": true}');
    assert.equal(r.response.headers.get('x-switchyard-attempts'), '2');
    assert.match(r.response.headers.get('x-switchyard-route')!, /escalated to gpt-oss-120b: answer is not valid JSON/);
    const one = await ask('gpt-oss-20b', 'give me json');
    const two = await ask('gpt-oss-120b', 'give me json');
    assert.equal(r.data.usage!.completion_tokens, one.data.usage!.completion_tokens + two.data.usage!.completion_tokens);
    const cost = (u: unknown) => (u as { cost: number }).cost;
    assert.ok(Math.abs(cost(r.data.usage) - (cost(one.data.usage) + cost(two.data.usage))) < 1e-12);
  });

  test('cascade accepts a passing reflex answer, and streams the answer when asked', async () => {
    const r = await ask('careful', 'plain text is fine');
    assert.equal(r.data.choices[0].message.content, 'reflex answer, not json');
    assert.equal(r.response.headers.get('x-switchyard-attempts'), '1');
    const stream = await client.chat.completions.create({ model: 'careful', messages: [{ role: 'user', content: 'x' }], stream: true, response_format: { type: 'json_object' } });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    assert.equal(text, '{"ok": true}');
  });

  test('personal data keeps a request on local hardware, and fails rather than leave it', async () => {
    const secret = 'My email is jane.doe@example.com, please draft a reply.';
    const r = await ask('private-first', secret);
    assert.equal(r.response.headers.get('x-switchyard-provider'), 'home');
    assert.equal(r.data.choices[0].message.content, 'answered on local hardware');
    assert.match(r.response.headers.get('x-switchyard-route')!, /personal data \(EMAIL\)/);
    const clean = await ask('private-first', 'What is the capital of France?');
    assert.equal(clean.response.headers.get('x-switchyard-provider'), 'cheap');

    const before = await (await fetch(`${reflexSim.origin}/sim/stats`)).json() as { requests: number };
    await assert.rejects(ask('gpt-oss-20b', 'Card 4111 1111 1111 1111, SSN 123-45-6789'), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 503);
      assert.equal(err.code, 'no_eligible_deployment');
      assert.match(err.message, /CREDIT_CARD/);
      return true;
    });
    const afterStats = await (await fetch(`${reflexSim.origin}/sim/stats`)).json() as { requests: number };
    assert.equal(afterStats.requests, before.requests, 'the cloud upstream never saw the request');
  });

  test('the request log records the decision and the kinds of data found, never the values', async () => {
    await gw.stop();
    const db = new Database(gw.dbPath, { readonly: true });
    try {
      const metas = (db.prepare('SELECT meta FROM request_log WHERE meta IS NOT NULL').all() as Array<{ meta: string }>).map((r) => r.meta);
      assert.ok(metas.some((m) => m.includes('"EMAIL"')));
      assert.ok(metas.every((m) => !m.includes('jane.doe') && !m.includes('4111')));
      assert.ok(metas.some((m) => JSON.parse(m).route?.saving_usd > 0));
      assert.ok(metas.some((m) => Array.isArray(JSON.parse(m).cascade)));
    } finally {
      db.close();
    }
  });
});
