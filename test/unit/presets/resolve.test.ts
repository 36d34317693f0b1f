import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry, type Locality } from '../../../src/router/registry.js';
import { resolveCandidates } from '../../../src/router/resolve.js';
import { filterCandidates } from '../../../src/router/filters.js';
import { validateConfig } from '../../../src/config/load.js';
import { GatewayError } from '../../../src/core/errors.js';
import { Availability, availability, listed } from '../../../src/providers/presets/availability.js';
import { promptSize, worstCaseTokens } from '../../../src/router/prompt-tokens.js';
import { latencyBook } from '../../../src/router/latency.js';
import type { ChatMessage, ChatRequest } from '../../../src/core/types.js';
import type { Provider } from '../../../src/providers/provider.js';

const fake = (id: string): Provider => ({ id, complete: () => Promise.reject(new Error('unused')), stream: () => Promise.reject(new Error('unused')) });

const config = validateConfig({
  providers: [
    { id: 'cheap', type: 'openai-compatible', base_url: 'https://a.example/v1' },
    { id: 'pricey', type: 'openai-compatible', base_url: 'https://b.example/v1' },
    { id: 'box', type: 'openai-compatible', base_url: 'http://127.0.0.1:8000/v1' },
    { id: 'noprice', type: 'openai-compatible', base_url: 'https://c.example/v1' },
  ],
  models: [
    {
      name: 'm',
      deployments: [
        { provider: 'noprice', model: 'x' },
        { provider: 'pricey', model: 'x', price: { input: 2, output: 8 }, context_window: 100_000 },
        { provider: 'cheap', model: 'x', price: { input: 0.1, output: 0.4 }, context_window: 4_000, capabilities: { vision: false } },
        { provider: 'box', model: 'x', price: { input: 0, output: 0 }, context_window: 8_000, capabilities: { vision: true } },
      ],
    },
    { name: 'text', deployments: [{ provider: 'cheap', model: 't', capabilities: { vision: false } }] },
  ],
});
const locality = new Map<string, Locality>([['cheap', 'cloud'], ['pricey', 'cloud'], ['box', 'local'], ['noprice', 'cloud']]);
const registry = new Registry(new Map(config.providers.map((p) => [p.id, fake(p.id)])), config, locality);

function chat(model: string, body: Record<string, unknown> = {}, messages: ChatMessage[] = [{ role: 'user', content: 'hi' }]): ChatRequest {
  const hasImages = messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === 'image_url'));
  return { body: { model, messages, ...body }, model, messages, stream: false, includeUsage: false, hasTools: false, hasImages, wantsJson: false };
}
const rctx = { key: null, headers: {} };
const order = (c: ChatRequest) => filterCandidates(resolveCandidates(registry, c, rctx).deployments, c, rctx).map((d) => d.providerId);

test('default order: local first, then cheapest, unknown prices last', () => {
  assert.deepEqual(order(chat('m')), ['box', 'cheap', 'pricey', 'noprice']);
});

test('provider.order, only, ignore, allow_fallbacks', () => {
  assert.deepEqual(order(chat('m', { provider: { order: ['pricey'] } })), ['pricey', 'box', 'cheap', 'noprice']);
  assert.deepEqual(order(chat('m', { provider: { order: ['pricey', 'cheap'], allow_fallbacks: false } })), ['pricey', 'cheap']);
  assert.deepEqual(order(chat('m', { provider: { only: ['cheap', 'pricey'] } })), ['cheap', 'pricey']);
  assert.deepEqual(order(chat('m', { provider: { ignore: ['box'] } })), ['cheap', 'pricey', 'noprice']);
  assert.deepEqual(order(chat('m', { provider: { allow_fallbacks: false } })), ['box']);
});

test('sort: latency puts measured deployments first, fastest first', () => {
  latencyBook.record('pricey/x', 50);
  latencyBook.record('cheap/x', 400);
  assert.deepEqual(order(chat('m', { provider: { sort: 'latency' } })), ['pricey', 'cheap', 'box', 'noprice']);
});

test('bad preferences are 400s naming the field', () => {
  assert.throws(() => order(chat('m', { provider: { only: 'cheap' } })), (e: unknown) => e instanceof GatewayError && e.status === 400 && e.param === 'provider.only');
  assert.throws(() => order(chat('m', { provider: { allow_fallbacks: 'no' } })), (e: unknown) => e instanceof GatewayError && e.param === 'provider.allow_fallbacks');
});

const image: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'what?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] }];

test('images only reach deployments not known to be text-only', () => {
  assert.deepEqual(order(chat('m', {}, image)), ['box', 'pricey', 'noprice']);
  assert.throws(() => order(chat('text', {}, image)), (e: unknown) => e instanceof GatewayError && e.code === 'unsupported_content' && e.status === 400);
});

test('a prompt over a context window skips that deployment; over all of them is a 400', () => {
  const long: ChatMessage[] = [{ role: 'user', content: 'word '.repeat(9_000) }]; // ~9k tokens: over 4k and 8k windows
  assert.deepEqual(order(chat('m', {}, long)), ['pricey', 'noprice']);
  const cjk: ChatMessage[] = [{ role: 'user', content: '漢字'.repeat(3_000) }]; // 6,000 characters: far more than 6,000/4 tokens
  assert.ok(!order(chat('m', {}, cjk)).includes('cheap'), 'CJK text is not underestimated at 4 characters a token');
  const tooLong = [{ role: 'user' as const, content: 'word '.repeat(120_000) }];
  const onlyWindowed = validateConfig({ providers: config.providers, models: [{ name: 'w', deployments: [{ provider: 'cheap', model: 'x', context_window: 4000 }, { provider: 'pricey', model: 'x', context_window: 100_000 }] }] });
  const reg = new Registry(registry.providers, onlyWindowed, locality);
  const c = chat('w', {}, tooLong);
  assert.throws(() => filterCandidates(resolveCandidates(reg, c, rctx).deployments, c, rctx),
    (e: unknown) => e instanceof GatewayError && e.code === 'context_length_exceeded' && e.status === 400);
});

test('tokens are counted only when the worst-case bound does not already fit', () => {
  const c = chat('m', {}, [{ role: 'user', content: 'hello world' }]);
  assert.equal(promptSize(c, 100_000).method, 'bound');
  assert.equal(promptSize(c, 10).method, 'counted');
  assert.equal(worstCaseTokens('漢字'), 3);
  const long = chat('m', {}, [{ role: 'user', content: 'The quick brown fox jumps over the lazy dog. '.repeat(5_000) }]);
  const sampled = promptSize(long, 1_000);
  assert.equal(sampled.method, 'sampled');
  // 50,000 tokens of text: the sampled figure errs high, by the margins and no more.
  assert.ok(sampled.tokens >= 50_000 && sampled.tokens < 50_000 * 1.3, String(sampled.tokens));
});

test('dense text (base64) is not underestimated at 4 characters a token', () => {
  const blob = Buffer.from(Array.from({ length: 6_000 }, (_, i) => (i * 7919) % 251)).toString('base64'); // 8,000 chars ≈ 5,000+ tokens
  const c = chat('m', {}, [{ role: 'user', content: blob }]);
  assert.ok(promptSize(c, 4_000).tokens > 4_000);
});

test('catalog local deployments are skipped while the engine does not list the model', () => {
  availability.gate('box', 'x');
  try {
    availability.set('box', ['other:7b']);
    assert.deepEqual(order(chat('m')), ['cheap', 'pricey', 'noprice']);
    availability.set('box', ['x']);
    assert.deepEqual(order(chat('m')), ['box', 'cheap', 'pricey', 'noprice']);
  } finally {
    availability.set('box', ['x']);
  }
});

test('listing matches Ollama tags and file-like names', () => {
  assert.ok(listed(['qwen2.5:latest'], 'qwen2.5'));
  assert.ok(listed(['gpt-oss:20b'], 'gpt-oss:20b'));
  assert.ok(!listed(['gpt-oss:20b'], 'gpt-oss:120b'));
  assert.ok(listed(['/models/Qwen2.5-7B-Instruct-Q4_K_M.gguf'], 'qwen2.5-7b-instruct'));
  const a = new Availability();
  assert.equal(a.usable('p/m'), true, 'ungated deployments are always usable');
  a.gate('p', 'm');
  assert.equal(a.usable('p/m'), true, 'before the first listing, try it');
  a.markMissing('p/m');
  assert.equal(a.usable('p/m'), false);
});
