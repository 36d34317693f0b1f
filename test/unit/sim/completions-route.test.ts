/**
 * The simulator's harmony mode (`POST /v1/completions`): raw gpt-oss text, stop strings handled the
 * way vLLM does, streams cut through control tokens and characters, per-request overrides.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator, type Simulator } from '../../../src/sim/server.js';
import { DEFAULT_HARMONY, applyStop, lastUserInPrompt } from '../../../src/sim/completions-route.js';
import { harmonyCompletion } from '../../../src/sim/harmony-completions.js';

const PROMPT = '<|start|>system<|message|>x<|end|><|start|>user<|message|>Olé 🎉<|end|><|start|>assistant';
const STOP = { stop: ['<|return|>', '<|call|>'], include_stop_str_in_output: true };

describe('simulator harmony mode', () => {
  let sim: Simulator;
  let base: string;
  before(async () => {
    sim = createSimulator({ behavior: { harmony: { ...DEFAULT_HARMONY, analysis: 'hm 🎉' } } });
    const a = await sim.listen(0);
    base = `http://127.0.0.1:${a.port}/v1`;
  });
  after(() => sim.close());

  const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${base}/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: 'gpt-oss-20b', prompt: PROMPT, ...body }) });

  test('non-streaming: analysis, then the default echo answer, ending at the kept stop string', async () => {
    const j = await (await post(STOP)).json() as { object: string; choices: Array<{ text: string; finish_reason: string }>; usage: { completion_tokens: number } };
    assert.equal(j.object, 'text_completion');
    assert.equal(j.choices[0].text, '<|channel|>analysis<|message|>hm 🎉<|end|><|start|>assistant<|channel|>final<|message|>You said: Olé 🎉<|return|>');
    assert.equal(j.choices[0].finish_reason, 'stop');
    assert.ok(j.usage.completion_tokens > 0);
  });

  test('streaming: small deltas that cut control tokens and surrogate pairs join to the same text', async () => {
    const res = await post({ ...STOP, stream: true, sim: { chunk_chars: 3, write_bytes: 5 } });
    const raw = await res.text();
    const texts = raw.split('\n\n').filter((e) => e.startsWith('data: {') && e.includes('"text"'))
      .map((e) => (JSON.parse(e.slice(6)) as { choices: Array<{ text: string }> }).choices[0].text);
    const whole = (await (await post(STOP)).json() as { choices: Array<{ text: string }> }).choices[0].text;
    assert.equal(texts.join(''), whole);
    assert.ok(texts.includes('<|c'), 'a control token is cut');
    assert.ok(texts.some((t) => /[\uD800-\uDBFF]$/.test(t)), 'a surrogate pair is cut');
    assert.ok(raw.endsWith('data: [DONE]\n\n'));
  });

  test('per-request overrides in the body and in x-sim-* headers', async () => {
    const tool = { name: 'get_weather', arguments: { city: 'Paris' } };
    const a = await (await post({ ...STOP, sim: { harmony_tool: tool, harmony_analysis: null, harmony_variant: 'glued-constrain' } })).json() as { choices: Array<{ text: string }> };
    assert.equal(a.choices[0].text, harmonyCompletion({ toolCall: { name: 'get_weather', args: { city: 'Paris' } }, malformed: 'glued-constrain' }));
    const b = await (await post(STOP, { 'x-sim-harmony-variant': 'no-header-refusal', 'x-sim-harmony-final': 'No.' })).json() as { choices: Array<{ text: string }> };
    assert.equal(b.choices[0].text, 'No.<|end|>');
  });

  test('without include_stop_str_in_output the stop string is cut, as vLLM does', () => {
    assert.equal(applyStop('a<|end|>b<|return|>c', ['<|call|>', '<|return|>'], false), 'a<|end|>b');
    assert.equal(applyStop('a<|call|>', '<|call|>', true), 'a<|call|>');
    assert.equal(applyStop('abc', undefined, true), 'abc');
  });

  test('the echo answer reads the last user message of the prompt', () => {
    assert.equal(lastUserInPrompt(`${PROMPT}x<|end|><|start|>user<|message|>second<|end|>`), 'second');
  });

  test('faults apply to the completions route too', async () => {
    const r = await post({ sim: { fault: 'http_429', retry_after: 3 } });
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '3');
    assert.equal(sim.stats.lastHeaders['content-type'], 'application/json');
  });
});

test('max_tokens cuts roughly every four characters, never inside a control token', async () => {
  const { truncateTokens } = await import('../../../src/sim/completions-route.js');
  assert.deepEqual(truncateTokens('<|channel|>final<|message|>abcdefgh<|return|>', 5), { text: '<|channel|>final<|message|>abcd', truncated: true });
  assert.deepEqual(truncateTokens('<|channel|>final<|message|>abcdefgh<|return|>', 6), { text: '<|channel|>final<|message|>abcdefgh', truncated: true });
  assert.deepEqual(truncateTokens('<|channel|>final<|message|>ab<|return|>', 6), { text: '<|channel|>final<|message|>ab<|return|>', truncated: false });
});
