/**
 * Resolution with the catalog: a canonical name reaches all its deployments on configured
 * providers, local first then cheapest; OpenRouter-style `provider` preferences reorder and narrow
 * them; images only reach vision deployments; a prompt never reaches a deployment whose context
 * window it exceeds.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { simStats, startStack, type Stack } from './harness.js';

let stack: Stack;
let client: OpenAI;

before(async () => {
  stack = await startStack((sim) => ({
    providers: [
      { id: 'ollama', type: 'ollama', base_url: `${sim}/ollama` },
      { id: 'together', type: 'together', base_url: `${sim}/together/v1`, api_key: 'k', locality: 'cloud' },
      { id: 'groq-main', type: 'groq', base_url: `${sim}/groq/v1`, api_key: 'k', locality: 'cloud' },
    ],
    models: [{
      name: 'ctx-test',
      deployments: [
        { provider: 'groq-main', model: 'small-window', context_window: 2000, price: { input: 0.1, output: 0.1 } },
        { provider: 'together', model: 'large-window', context_window: 200000, price: { input: 1, output: 1 } },
      ],
    }],
    catalog: { overrides: [{ model: 'gpt-oss-20b', provider: 'groq', price: { input: 0.01, output: 0.01 } }] },
  }), ['--models', 'gpt-oss:20b,qwen2.5vl:7b']);
  client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
after(async () => { await stack?.stop(); });

type Params = ChatCompletionCreateParamsNonStreaming & { provider?: Record<string, unknown> };

async function servedBy(params: Params): Promise<{ provider: string | null; route: string | null; upstream: unknown }> {
  const { response } = await client.chat.completions.create(params).withResponse();
  const last = (await simStats(stack.sim.url)).lastBody;
  return { provider: response.headers.get('x-switchyard-provider'), route: response.headers.get('x-switchyard-route'), upstream: last.model };
}

const hi = [{ role: 'user' as const, content: 'hi' }];

test('a catalog model name resolves to its deployments on configured providers; local first', async () => {
  const r = await servedBy({ model: 'gpt-oss-20b', messages: hi });
  assert.equal(r.provider, 'ollama');
  assert.equal(r.upstream, 'gpt-oss:20b');
  assert.match(r.route ?? '', /local first/);
});

test('without the local engine, the cheapest cloud deployment (a config override made Groq cheapest)', async () => {
  const r = await servedBy({ model: 'gpt-oss-20b', messages: hi, provider: { ignore: ['ollama'] } });
  assert.equal(r.provider, 'groq-main');
  assert.equal(r.upstream, 'openai/gpt-oss-20b');
});

test('provider.order puts a provider first; names may be ids or preset types', async () => {
  assert.equal((await servedBy({ model: 'gpt-oss-20b', messages: hi, provider: { order: ['together'] } })).provider, 'together');
  assert.equal((await servedBy({ model: 'gpt-oss-20b', messages: hi, provider: { order: ['groq', 'together'] } })).provider, 'groq-main');
});

test('provider.only and sort: price', async () => {
  assert.equal((await servedBy({ model: 'gpt-oss-20b', messages: hi, provider: { only: ['together'] } })).provider, 'together');
  assert.equal((await servedBy({ model: 'gpt-oss-20b', messages: hi, provider: { sort: 'price', only: ['together', 'groq-main'] } })).provider, 'groq-main');
});

test('preferences that leave nothing are a clear error', async () => {
  await assert.rejects(client.chat.completions.create({ model: 'gpt-oss-20b', messages: hi, provider: { only: ['fireworks'] } } as Params), (e: unknown) => {
    assert.ok(e instanceof OpenAI.APIError);
    assert.equal(e.status, 503);
    assert.equal((e.error as { code?: string }).code, 'no_eligible_deployment');
    return true;
  });
  await assert.rejects(client.chat.completions.create({ model: 'gpt-oss-20b', messages: hi, provider: { sort: 'cheap' } } as unknown as Params), (e: unknown) => {
    assert.ok(e instanceof OpenAI.APIError);
    assert.equal(e.status, 400);
    assert.equal(e.param, 'provider.sort');
    return true;
  });
});

const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const withImage = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'what is this?' }, { type: 'image_url' as const, image_url: { url: PIXEL } }] }];

test('an image sent to a text-only model is a 400 unsupported_content', async () => {
  const before = (await simStats(stack.sim.url)).requests;
  await assert.rejects(client.chat.completions.create({ model: 'gpt-oss-20b', messages: withImage }), (e: unknown) => {
    assert.ok(e instanceof OpenAI.APIError);
    assert.equal(e.status, 400);
    assert.equal((e.error as { code?: string }).code, 'unsupported_content');
    return true;
  });
  assert.equal((await simStats(stack.sim.url)).requests, before, 'nothing reached an upstream');
});

test('an image reaches a vision model (Ollama gets it as base64 beside the text)', async () => {
  const r = await servedBy({ model: 'qwen2.5-vl-7b-instruct', messages: withImage });
  assert.equal(r.provider, 'ollama');
  const sent = (await simStats(stack.sim.url)).lastBody.messages as Array<{ content: string; images?: string[] }>;
  assert.equal(sent[0].content, 'what is this?');
  assert.deepEqual(sent[0].images, [PIXEL.slice(PIXEL.indexOf(',') + 1)]);
});

test('a prompt longer than a deployment\'s context window skips it', async () => {
  assert.equal((await servedBy({ model: 'ctx-test', messages: hi })).provider, 'groq-main');
  const long = [{ role: 'user' as const, content: 'lorem ipsum dolor sit amet '.repeat(600) }]; // ~3,200 tokens
  const r = await servedBy({ model: 'ctx-test', messages: long });
  assert.equal(r.provider, 'together');
  assert.equal(r.upstream, 'large-window');
});

test('a prompt longer than every context window is a 400 context_length_exceeded', async () => {
  const huge = [{ role: 'user' as const, content: 'lorem ipsum dolor sit amet '.repeat(40_000) }]; // ~200k+ tokens
  await assert.rejects(client.chat.completions.create({ model: 'ctx-test', messages: huge }), (e: unknown) => {
    assert.ok(e instanceof OpenAI.APIError);
    assert.equal(e.status, 400);
    assert.equal((e.error as { code?: string }).code, 'context_length_exceeded');
    return true;
  });
});

test('/v1/models lists catalog models reachable through configured providers', async () => {
  const ids = (await client.models.list()).data.map((m) => m.id);
  for (const m of ['gpt-oss-20b', 'gpt-oss-120b', 'kimi-k2', 'qwen2.5-72b-instruct', 'qwen2.5-vl-7b-instruct', 'glm-4.6', 'ctx-test']) assert.ok(ids.includes(m), m);
  assert.ok(!ids.includes('glm-4.5'), 'glm-4.5 has no deployment on ollama, together or groq');
});

test('reasoning_effort never reaches a deployment of a model that does not reason', async () => {
  await client.chat.completions.create({ model: 'qwen2.5-vl-7b-instruct', messages: hi, reasoning_effort: 'high' });
  const sent = (await simStats(stack.sim.url)).lastBody;
  assert.equal('think' in sent, false);
  await client.chat.completions.create({ model: 'gpt-oss-20b', messages: hi, reasoning_effort: 'high', provider: { only: ['together'] } } as Params);
  assert.equal((await simStats(stack.sim.url)).lastBody.reasoning_effort, 'high');
});

test('a catalog model the local engine has not pulled goes to the cloud, even before the engine was listed', async () => {
  // qwen2.5-7b-instruct is offered on Ollama by the catalog, but this Ollama only has gpt-oss:20b and qwen2.5vl:7b.
  const r = await servedBy({ model: 'qwen2.5-7b-instruct', messages: hi });
  assert.equal(r.provider, 'together');
  assert.equal(r.upstream, 'Qwen/Qwen2.5-7B-Instruct-Turbo');
});
