import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSimulator, type Simulator } from '../../../src/sim/server.js';
import { run } from '../../../src/cli/sim.js';
import { PassThrough } from 'node:stream';

let sim: Simulator;
let base: string;
before(async () => {
  sim = createSimulator({ dialect: 'moonshot', behavior: { reasoning: 'R', cachedTokens: 2 }, models: ['kimi-k2'] });
  base = `http://127.0.0.1:${(await sim.listen(0)).port}`;
});
after(() => sim.close());

const post = async (path: string, body: unknown) => (await fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<Record<string, unknown>>;
const msg = [{ role: 'user', content: 'hi' }];

test('the default dialect shapes answers: Moonshot puts reasoning in reasoning_content and cache hits at the top level', async () => {
  const r = await post('/v1/chat/completions', { model: 'kimi-k2', messages: msg });
  const choice = (r.choices as Array<{ message: Record<string, unknown> }>)[0];
  assert.equal(choice.message.reasoning_content, 'R');
  assert.equal('reasoning' in choice.message, false);
  assert.equal((r.usage as Record<string, unknown>).cached_tokens, 2);
  assert.equal('completion_tokens_details' in (r.usage as object), false);
});

test('a path prefix or the sim object picks another dialect per request', async () => {
  const r = await post('/openrouter/v1/chat/completions', { model: 'x', messages: msg });
  const m = (r.choices as Array<{ message: Record<string, unknown> }>)[0].message;
  assert.equal(m.reasoning, 'R');
  assert.deepEqual((r.usage as Record<string, unknown>).prompt_tokens_details, { cached_tokens: 2 });
  const z = await post('/v1/chat/completions', { model: 'x', messages: msg, sim: { dialect: 'zai' } });
  assert.equal((z.choices as Array<{ message: Record<string, unknown> }>)[0].message.reasoning_content, 'R');
});

test('Ollama: native /api/chat and /api/tags', async () => {
  const r = await post('/api/chat', { model: 'kimi-k2', messages: msg, stream: false });
  assert.deepEqual(r.message, { role: 'assistant', content: 'You said: hi', thinking: 'R' });
  assert.equal(r.done, true);
  assert.equal(typeof r.eval_count, 'number');
  const tags = await (await fetch(`${base}/api/tags`)).json() as { models: Array<{ name: string }> };
  assert.deepEqual(tags.models.map((m) => m.name), ['kimi-k2']);
});

test('`switchyard sim --dialect` rejects an unknown dialect', async () => {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const code = await run(['--dialect', 'nope'], { stdin: new PassThrough(), stdout: new PassThrough(), stderr });
  assert.equal(code, 2);
  assert.match(err, /--dialect must be one of openai, openrouter/);
});
