import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyCatalog, loadCatalog, parseCatalog } from '../../../src/config/catalog.js';
import { validateConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/config/load.js';

const catalog = loadCatalog();

test('the built-in catalog has every seed model', () => {
  const names = new Set(catalog.models.map((m) => m.name));
  for (const n of ['gpt-oss-120b', 'gpt-oss-20b', 'kimi-k2', 'qwen2.5-0.5b-instruct', 'qwen2.5-1.5b-instruct', 'qwen2.5-3b-instruct',
    'qwen2.5-7b-instruct', 'qwen2.5-14b-instruct', 'qwen2.5-32b-instruct', 'qwen2.5-72b-instruct', 'qwen2.5-7b-instruct-1m',
    'qwen2.5-14b-instruct-1m', 'qwen2.5-vl-7b-instruct', 'qwen2.5-vl-72b-instruct', 'qwen2.5-coder-32b-instruct', 'glm-4.6', 'glm-4.5', 'glm-4.5-air']) {
    assert.ok(names.has(n), n);
  }
});

test('every cloud price says when it was checked and where it came from', () => {
  for (const m of catalog.models) {
    for (const d of m.deployments) {
      assert.match(d.checked, /^\d{4}-\d{2}-\d{2}$/, `${m.name} on ${d.provider}`);
      assert.ok(d.source === 'estimate' || d.source.startsWith('https://'), `${m.name} on ${d.provider}: ${d.source}`);
    }
  }
});

test('vision only where the model sees; the million-token Qwen has its window', () => {
  const by = new Map(catalog.models.map((m) => [m.name, m]));
  assert.equal(by.get('qwen2.5-vl-7b-instruct')!.capabilities.vision, true);
  assert.equal(by.get('gpt-oss-20b')!.capabilities.vision, false);
  assert.ok(by.get('qwen2.5-7b-instruct-1m')!.context_window >= 1_000_000);
});

test('a malformed catalog is rejected with the path of the problem', () => {
  assert.throws(() => parseCatalog({ version: 1, models: [{ name: 'x', context_window: 'big', capabilities: {} }] }, 'mine.yaml'),
    (e: unknown) => e instanceof ConfigError && /context_window/.test(e.message));
});

const config = (extra: Record<string, unknown> = {}) => validateConfig({
  providers: [{ id: 'g', type: 'groq' }, { id: 'home', type: 'ollama' }, { id: 'custom', type: 'openai-compatible', base_url: 'http://10.0.0.5/v1' }],
  ...extra,
});

test('catalog models get one deployment per configured provider of a listed type', () => {
  const { models, info } = applyCatalog(config(), catalog);
  const m = models.find((x) => x.name === 'gpt-oss-120b')!;
  assert.deepEqual(m.deployments.map((d) => [d.provider, d.model]), [['g', 'openai/gpt-oss-120b'], ['home', 'gpt-oss:120b']]);
  const groq = m.deployments[0];
  assert.deepEqual(groq.price, { input: 0.15, output: 0.6 });
  assert.equal(groq.context_window, 131072);
  assert.equal(groq.capabilities?.tools, true);
  assert.equal(info.get('home/gpt-oss:120b')!.needsListing, true);
  assert.equal(info.get('g/openai/gpt-oss-120b')!.needsListing, false);
  assert.ok(!models.some((x) => x.name === 'glm-4.6'), 'no configured provider serves glm-4.6');
});

test('overrides change a price, drop a deployment, or rename the upstream id', () => {
  const { models } = applyCatalog(config({
    catalog: {
      overrides: [
        { model: 'gpt-oss-120b', provider: 'groq', price: { input: 0.1, output: 0.2 } },
        { model: 'gpt-oss-20b', provider: 'home', disabled: true },
        { model: 'qwen2.5-7b-instruct', provider: 'home', upstream: 'qwen2.5:7b-instruct-q8_0' },
      ],
    },
  }), catalog);
  const get = (n: string) => models.find((x) => x.name === n)!;
  assert.deepEqual(get('gpt-oss-120b').deployments[0].price, { input: 0.1, output: 0.2 });
  assert.deepEqual(get('gpt-oss-20b').deployments.map((d) => d.provider), ['g']);
  assert.equal(get('qwen2.5-7b-instruct').deployments[0].model, 'qwen2.5:7b-instruct-q8_0');
});

test('a model named in the config keeps exactly its deployments, with catalog facts filled in', () => {
  const { models } = applyCatalog(config({ models: [{ name: 'gpt-oss-20b', deployments: [{ provider: 'custom', model: 'my-oss' }] }] }), catalog);
  const m = models.filter((x) => x.name === 'gpt-oss-20b');
  assert.equal(m.length, 1);
  assert.deepEqual(m[0].deployments.map((d) => d.provider), ['custom']);
  assert.equal(m[0].deployments[0].context_window, 131072);
  assert.equal(m[0].deployments[0].capabilities?.vision, false);
});

test('catalog: {enabled: false} adds nothing', () => {
  assert.equal(applyCatalog(config({ catalog: { enabled: false } }), catalog).models.length, 0);
});

test('presets need no base_url; openai-compatible does', () => {
  assert.throws(() => validateConfig({ providers: [{ id: 'x', type: 'openai-compatible' }] }), /base_url/);
  assert.doesNotThrow(() => validateConfig({ providers: [{ id: 'x', type: 'moonshot' }] }));
});
