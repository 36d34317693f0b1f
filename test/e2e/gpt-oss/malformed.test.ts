/**
 * Issue 4 end to end: engines emit broken harmony (a header with no `<|message|>`, a bare refusal,
 * a stray `<|return|>`, a constrain token glued to the recipient, an engine that strips stop
 * strings). Each must still give the client a sane answer: status 200, no control token in
 * content, no chain-of-thought outside `reasoning`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { ANALYSIS, EXPOSED, FINAL, HARMONY_CONTROL, collect, reasoningOf, startHarmonyStack, type HarmonyStack } from './harmony-stack.js';

interface Case { extra: Record<string, unknown>; content: string; analysis: string | undefined }

const CASES: Record<string, Case> = {
  'missing-message': { extra: { sim: { harmony_variant: 'missing-message' } }, content: FINAL, analysis: ANALYSIS },
  'no-header-refusal': { extra: { sim: { harmony_variant: 'no-header-refusal', harmony_final: "I'm sorry, but I can't help with that." } }, content: "I'm sorry, but I can't help with that.", analysis: undefined },
  'stray-return': { extra: { sim: { harmony_variant: 'stray-return' } }, content: FINAL, analysis: ANALYSIS },
  // An engine that ignores `include_stop_str_in_output` and strips `<|return|>`: the completion just ends.
  'stop-stripped': { extra: { include_stop_str_in_output: false }, content: FINAL, analysis: ANALYSIS },
};

// Faults after 4 deltas of 3 characters: the engine dies in the middle of `<|channel|>analysis<|message|>`.
const STREAM_FAULTS = ['malformed', 'error_event', 'reset'];

describe('malformed gpt-oss output through a harmony-raw deployment', () => {
  let s: HarmonyStack;
  before(async () => {
    s = await startHarmonyStack({
      ...Object.fromEntries(Object.entries(CASES).map(([name, c]) => [name, c.extra])),
      ...Object.fromEntries(STREAM_FAULTS.map((f) => [`fault-${f}`, { sim: { fault: f, fault_after: 4 } }])),
      'fault-http_503': { sim: { fault: 'http_503' } },
    });
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

  for (const fault of STREAM_FAULTS) {
    test(`an engine stream that breaks (${fault}) ends in an OpenAI error, never in a half control token`, async () => {
      let seen = '';
      // Before the gateway saw a part the failure is an HTTP 502; after, an error event ends the stream.
      await assert.rejects(async () => {
        const stream = await s.client.chat.completions.create({ model: `fault-${fault}`, messages: ask, stream: true }, { headers: { 'x-switchyard-reasoning': 'exposed' } });
        for await (const c of stream) seen += JSON.stringify(c.choices[0]?.delta ?? {});
      }, OpenAI.APIError);
      assert.ok(!seen.includes('<|'), seen);
    });
  }

  test('an engine that answers 503 gives the client a 502 upstream_error, not a 500', async () => {
    for (const stream of [false, true]) {
      const err = await s.client.chat.completions.create({ model: 'fault-http_503', messages: ask, stream }).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 502);
      assert.equal(err.code, 'upstream_error');
    }
  });

  test('max_tokens reached during the analysis: empty content, finish length, nothing leaked', async () => {
    for (const stream of [false, true]) {
      const r = stream
        ? await collect(await s.client.chat.completions.create({ model: 'stray-return', messages: ask, max_tokens: 8, stream: true }))
        : await s.client.chat.completions.create({ model: 'stray-return', messages: ask, max_tokens: 8 }).then((x) => ({ content: x.choices[0].message.content ?? '', finish: x.choices[0].finish_reason, raw: JSON.stringify(x) }));
      assert.equal(r.content, '');
      assert.equal(r.finish, 'length');
      assert.ok(!r.raw.includes('The user') && !HARMONY_CONTROL.test(r.raw), r.raw);
    }
  });

  test('max_tokens reached during the final answer: the start of the answer, finish length', async () => {
    const r = await s.client.chat.completions.create({ model: 'stray-return', messages: ask, max_tokens: 30 });
    const content = r.choices[0].message.content ?? '';
    assert.ok(content.length > 0 && content.length < FINAL.length && FINAL.startsWith(content), content);
    assert.equal(r.choices[0].finish_reason, 'length');
    assert.equal(reasoningOf(r.choices[0].message), undefined);
  });
});
