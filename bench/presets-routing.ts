/**
 * Routing cost of the presets work, per request: resolving a catalog model (local first, cheapest,
 * provider preferences) and the context-window filter, for prompts that need no counting, an exact
 * o200k count, or sampling; and how close the size figure is to the o200k count.
 * Run: `npx tsc -p . && node dist/bench/presets-routing.js`. Prints markdown.
 */
import { performance } from 'node:perf_hooks';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { validateConfig } from '../src/config/load.js';
import { applyCatalog, loadCatalog } from '../src/config/catalog.js';
import { Registry, type Locality } from '../src/router/registry.js';
import { planRoute } from '../src/router/plan.js';
import { promptSize } from '../src/router/prompt-tokens.js';
import type { ChatMessage, ChatRequest } from '../src/core/types.js';
import type { Provider } from '../src/providers/provider.js';

const types = ['ollama', 'groq', 'together', 'fireworks', 'deepinfra', 'cerebras', 'openrouter'] as const;
const config = validateConfig({ providers: types.map((t) => ({ id: t, type: t })) });
const models = applyCatalog(config, loadCatalog()).models;
const fake = (id: string): Provider => ({ id, complete: () => Promise.reject(new Error('unused')), stream: () => Promise.reject(new Error('unused')) });
const locality = new Map<string, Locality>(types.map((t) => [t, t === 'ollama' ? 'local' : 'cloud']));
const registry = new Registry(new Map(types.map((t) => [t, fake(t)])), { ...config, models }, locality);

function chat(content: string, body: Record<string, unknown> = {}, model = 'gpt-oss-120b'): ChatRequest {
  const messages: ChatMessage[] = [{ role: 'system', content: 'You are helpful.' }, { role: 'user', content }];
  return { body: { model, messages, ...body }, model, messages, stream: false, includeUsage: false, hasTools: false, hasImages: false, wantsJson: false };
}

const english = (n: number) => 'Switchyard routes each request to the cheapest deployment that can serve it, local first. '.repeat(Math.ceil(n / 90)).slice(0, n);
const code = (n: number) => 'function add(a: number, b: number): number {\n  return a + b; // sum\n}\n'.repeat(Math.ceil(n / 70)).slice(0, n);
const cjk = (n: number) => '开放权重模型现在足以胜任大多数工作。'.repeat(Math.ceil(n / 18)).slice(0, n);
const base64 = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7919 + (i >> 3)) % 256)).toString('base64').slice(0, n);

function time(fn: () => void, minMs = 300): number {
  fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) { fn(); n++; }
  return (performance.now() - t0) / n;
}

console.log('### planRoute per request (deployments from the catalog on 7 configured providers)\n');
console.log('| model (smallest window) | prompt | size path | µs per request |');
console.log('|---|---|---|---:|');
const q72 = 'qwen2.5-72b-instruct';
const cases: Array<[string, ChatRequest, number]> = [
  ['short chat (100 chars)', chat(english(100)), 131072],
  ['short chat + provider prefs', chat(english(100), { provider: { ignore: ['deepinfra'], sort: 'price' } }), 131072],
  ['English 100k chars', chat(english(100_000)), 131072],
  ['English 60k chars', chat(english(60_000), {}, q72), 32768],
  ['base64 60k chars', chat(base64(60_000), {}, q72), 32768],
  ['English 400k chars', chat(english(400_000), {}, q72), 32768],
  ['English 1M chars (a 400: over every window)', chat(english(1_000_000)), 131072],
];
for (const [name, c, smallest] of cases) {
  const method = promptSize(c, smallest).method;
  const us = time(() => { try { planRoute(registry, c, { key: null, headers: {} }); } catch { /* the 1M case is a 400 */ } }) * 1000;
  console.log(`| ${c.model} (${smallest}) | ${name} | ${method} | ${us.toFixed(1)} |`);
}

console.log('\n### Size figure vs the o200k count (window 1,000 forces counting or sampling)\n');
console.log('| text | chars | o200k tokens | figure used | method | figure / tokens |');
console.log('|---|---:|---:|---:|---|---:|');
for (const [name, gen] of [['English', english], ['TypeScript', code], ['Chinese', cjk], ['base64', base64]] as const) {
  for (const n of [50_000, 400_000]) {
    const text = gen(n);
    const c = chat(text);
    const exact = countTokens(text);
    const s = promptSize(c, 1_000);
    console.log(`| ${name} | ${n} | ${exact} | ${s.tokens} | ${s.method} | ${(s.tokens / exact).toFixed(2)} |`);
  }
}
