/**
 * Issue 4 end to end: reasoning visibility per key. A key's policy is the ceiling (a `hidden` key never
 * sees chain-of-thought, whatever it asks for); a request may always ask for less.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { ANALYSIS, FINAL, collect, reasoningOf, startHarmonyStack, type HarmonyStack } from './harmony-stack.js';

const MASTER = 'sk-master-e2e-key-policy';

describe('reasoning policy per virtual key (gpt-oss via harmony-raw)', () => {
  let s: HarmonyStack;
  let exposedKey: OpenAI;
  let hiddenKey: OpenAI;
  before(async () => {
    s = await startHarmonyStack({ 'gpt-oss-20b': {} }, { env: { SWITCHYARD_MASTER_KEY: MASTER } });
    const create = async (body: Record<string, unknown>): Promise<string> => {
      const r = await fetch(`${s.gw.origin}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(r.status, 201, await r.clone().text());
      return ((await r.json()) as { secret: string }).secret;
    };
    exposedKey = new OpenAI({ baseURL: s.gw.url, apiKey: await create({ name: 'researcher', reasoning: 'exposed' }), maxRetries: 0 });
    hiddenKey = new OpenAI({ baseURL: s.gw.url, apiKey: await create({ name: 'end-user-app' }), maxRetries: 0 });
  });
  after(async () => { await s?.stop(); });

  const body = { model: 'gpt-oss-20b', messages: [{ role: 'user' as const, content: 'hello' }] };
  const header = (v: string) => ({ headers: { 'x-switchyard-reasoning': v } });

  test('a key with reasoning: hidden never sees it, even when the request asks', async () => {
    const r = await hiddenKey.chat.completions.create(body, header('exposed'));
    assert.equal(r.choices[0].message.content, FINAL);
    assert.equal(reasoningOf(r.choices[0].message), undefined);
    const x = await collect(await hiddenKey.chat.completions.create({ ...body, stream: true }, header('exposed')));
    assert.equal(x.content, FINAL);
    assert.ok(!x.raw.includes('"reasoning"') && !x.raw.includes('Café'), x.raw);
  });

  test('a key with reasoning: exposed sees it by default and can ask for less', async () => {
    const r = await exposedKey.chat.completions.create(body);
    assert.equal(reasoningOf(r.choices[0].message), ANALYSIS);
    const x = await collect(await exposedKey.chat.completions.create({ ...body, stream: true }));
    assert.equal(x.reasoning, ANALYSIS);
    const less = await exposedKey.chat.completions.create(body, header('hidden'));
    assert.equal(reasoningOf(less.choices[0].message), undefined);
    assert.equal(less.choices[0].message.content, FINAL);
  });
});
