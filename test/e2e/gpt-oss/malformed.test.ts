/**
 * Issue 4 end to end: engines emit broken harmony (a header with no `<|message|>`, a bare refusal,
 * a stray `<|return|>`, a constrain token glued to the recipient, an engine that strips stop
 * strings). Each must still give the client a sane answer: status 200, no control token in
 * content, no chain-of-thought outside `reasoning`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ANALYSIS, EXPOSED, FINAL, HARMONY_CONTROL, collect, reasoningOf, startHarmonyStack, type HarmonyStack } from './harmony-stack.js';

interface Case { extra: Record<string, unknown>; content: string; analysis: string | undefined }

const CASES: Record<string, Case> = {
  'missing-message': { extra: { sim: { harmony_variant: 'missing-message' } }, content: FINAL, analysis: ANALYSIS },
  'no-header-refusal': { extra: { sim: { harmony_variant: 'no-header-refusal', harmony_final: "I'm sorry, but I can't help with that." } }, content: "I'm sorry, but I can't help with that.", analysis: undefined },
  'stray-return': { extra: { sim: { harmony_variant: 'stray-return' } }, content: FINAL, analysis: ANALYSIS },
  // An engine that ignores `include_stop_str_in_output` and strips `<|return|>`: the completion just ends.
  'stop-stripped': { extra: { include_stop_str_in_output: false }, content: FINAL, analysis: ANALYSIS },
};

describe('malformed gpt-oss output through a harmony-raw deployment', () => {
  let s: HarmonyStack;
  before(async () => {
    s = await startHarmonyStack(Object.fromEntries(Object.entries(CASES).map(([name, c]) => [name, c.extra])));
  });
  after(async () => { await s?.stop(); });

  const ask = [{ role: 'user' as const, content: 'Say hello in French.' }];

  for (const [model, c] of Object.entries(CASES)) {
    test(`${model}: non-streaming answer is clean, reasoning only when exposed`, async () => {
      const { data, response } = await s.client.chat.completions.create({ model, messages: ask }).withResponse();
      assert.equal(response.status, 200);
      assert.equal(data.choices[0].message.content, c.content);
      assert.equal(data.choices[0].finish_reason, 'stop');
      assert.ok(!HARMONY_CONTROL.test(JSON.stringify(data)));
      assert.equal(reasoningOf(data.choices[0].message), undefined);
      const x = await s.client.chat.completions.create({ model, messages: ask }, EXPOSED);
      assert.equal(x.choices[0].message.content, c.content);
      assert.equal(reasoningOf(x.choices[0].message), c.analysis);
    });

    test(`${model}: streaming answer is clean, reasoning only when exposed`, async () => {
      const r = await collect(await s.client.chat.completions.create({ model, messages: ask, stream: true }));
      assert.equal(r.content, c.content);
      assert.equal(r.finish, 'stop');
      assert.equal(r.reasoning, '');
      assert.ok(!r.raw.includes('Café') && !HARMONY_CONTROL.test(r.raw), r.raw);
      const x = await collect(await s.client.chat.completions.create({ model, messages: ask, stream: true }, EXPOSED));
      assert.equal(x.content, c.content);
      assert.equal(x.reasoning, c.analysis ?? '');
    });
  }
});
