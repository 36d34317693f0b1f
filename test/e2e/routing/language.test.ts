/**
 * Language-aware routing end to end: a Chinese prompt to `auto` goes to the candidate whose catalog
 * entry lists zh, although the router would pick the cheap English-only model; a user's own
 * `capabilities.languages` counts the same way; the request log says which language was seen.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Database from 'better-sqlite3';
import { startGateway, startSim, type Proc } from '../../helpers/procs.js';

describe('language-aware routing', () => {
  let sim: Proc;
  let gw: Proc & { dbPath: string };
  let client: OpenAI;

  before(async () => {
    sim = await startSim(['--text', 'ok']);
    gw = await startGateway({
      providers: [{ id: 'sim', type: 'openai-compatible', base_url: sim.url, locality: 'cloud' }],
      // Both names are in the built-in catalog: gpt-oss-20b lists [en], glm-4.5-air lists [zh, en].
      models: [
        { name: 'gpt-oss-20b', deployments: [{ provider: 'sim', model: 'gpt-oss-20b', price: { input: 0.05, output: 0.2 } }] },
        { name: 'glm-4.5-air', deployments: [{ provider: 'sim', model: 'glm-4.5-air', price: { input: 0.2, output: 1.1 } }] },
        { name: 'house-ja', deployments: [{ provider: 'sim', model: 'house-ja', price: { input: 0.3, output: 1.2 }, capabilities: { languages: ['ja'] } }] },
      ],
      routing: {
        virtual_models: [
          { name: 'auto', mode: 'learned', candidates: [{ model: 'gpt-oss-20b', tier: 'reflex' }, { model: 'glm-4.5-air', tier: 'thinking' }] },
          { name: 'ja-aware', mode: 'order', candidates: [{ model: 'gpt-oss-20b' }, { model: 'house-ja' }] },
        ],
      },
    });
    client = new OpenAI({ baseURL: gw.url, apiKey: 'x', maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  const ask = (model: string, content: string) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content }] }, { headers: { 'x-switchyard-quality': '0' } }).withResponse();
  const upstreamModel = async () => ((await (await fetch(`${sim.origin}/sim/stats`)).json()) as { lastBody: { model: string } }).lastBody.model;

  test('an English prompt at quality 0 goes to the cheap reflex model', async () => {
    const r = await ask('auto', 'What is the capital of France?');
    assert.equal(r.response.headers.get('x-switchyard-model'), 'gpt-oss-20b');
    assert.match(r.response.headers.get('x-switchyard-route')!, /reflex gpt-oss-20b/);
  });

  test('the same question in Chinese goes to the model that lists zh', async () => {
    const r = await ask('auto', '法国的首都是哪里？请简单回答。');
    assert.equal(r.data.choices[0].message.content, 'ok');
    assert.equal(r.response.headers.get('x-switchyard-model'), 'glm-4.5-air');
    assert.equal(await upstreamModel(), 'glm-4.5-air');
  });

  test("a user's capabilities.languages steers an order-mode model; an unlisted language still gets an answer", async () => {
    const ja = await ask('ja-aware', 'フランスの首都はどこですか？');
    assert.equal(ja.response.headers.get('x-switchyard-model'), 'house-ja');
    const ko = await ask('ja-aware', '프랑스의 수도는 어디입니까?');
    assert.equal(ko.response.headers.get('x-switchyard-model'), 'gpt-oss-20b', 'no candidate lists ko: the first capable one answers');
    const en = await ask('ja-aware', 'Where is Paris?');
    assert.equal(en.response.headers.get('x-switchyard-model'), 'gpt-oss-20b');
  });

  test('the request log records the detected language and why a candidate was dropped', async () => {
    await gw.stop();
    const db = new Database(gw.dbPath, { readonly: true });
    try {
      const routes = (db.prepare('SELECT meta FROM request_log WHERE meta IS NOT NULL').all() as Array<{ meta: string }>)
        .map((r) => (JSON.parse(r.meta) as { route?: Record<string, unknown> }).route ?? {});
      const zh = routes.find((r) => r.language === 'zh');
      assert.ok(zh, JSON.stringify(routes));
      assert.deepEqual(zh.dropped, { 'gpt-oss-20b': 'does not list language zh' });
      assert.ok(routes.some((r) => r.language === 'ko' && r.language_unmet === true));
      assert.ok(routes.some((r) => r.chosen === 'gpt-oss-20b' && r.language === undefined));
    } finally {
      db.close();
    }
  });
});
