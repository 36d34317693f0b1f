import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../../src/core/errors.js';
import type { ChatRequest, ChatResult } from '../../../src/core/types.js';
import type { Provider, ProviderCall } from '../../../src/providers/provider.js';
import { Availability, guardMissingModels } from '../../../src/providers/presets/availability.js';
import { timed } from '../../../src/providers/presets/timed-provider.js';
import { withoutEffortFor } from '../../../src/providers/presets/effort-guard.js';
import { LatencyBook } from '../../../src/router/latency.js';

const request = (effort?: ChatRequest['reasoningEffort']): ChatRequest => ({
  body: { model: 'm', messages: [], ...(effort ? { reasoning_effort: effort } : {}) }, model: 'm', messages: [], stream: false,
  includeUsage: false, hasTools: false, hasImages: false, wantsJson: false, reasoningEffort: effort,
});
const call = (upstreamModel: string, effort?: ChatRequest['reasoningEffort']): ProviderCall => ({ request: request(effort), upstreamModel, signal: new AbortController().signal });
const ok: ChatResult = { choices: [] };

function recording(id: string, fail?: GatewayError): Provider & { seen: ProviderCall[] } {
  const seen: ProviderCall[] = [];
  return {
    id, seen,
    complete: async (c) => { seen.push(c); if (fail) throw fail; return ok; },
    stream: async (c) => { seen.push(c); if (fail) throw fail; return [][Symbol.iterator]() as unknown as AsyncIterable<never>; },
    listModels: async () => ['a'],
  };
}

test('a 404 from a catalog-added local deployment fails over and parks the deployment', async () => {
  const book = new Availability();
  book.gate('ollama', 'qwen2.5:7b');
  const notFound = new GatewayError('upstream_bad_request', 'upstream ollama returned 404: model "qwen2.5:7b" not found', { upstreamStatus: 404, status: 404 });
  const p = guardMissingModels(recording('ollama', notFound), book);
  await assert.rejects(p.complete(call('qwen2.5:7b')), (e: unknown) => e instanceof GatewayError && e.retryable && e.code === 'upstream_unavailable');
  assert.equal(book.usable('ollama/qwen2.5:7b'), false);
  // A model the user configured by hand is not second-guessed: its 404 stays a 404.
  await assert.rejects(p.complete(call('mine')), (e: unknown) => e instanceof GatewayError && e.code === 'upstream_bad_request');
  assert.deepEqual(await p.listModels!(), ['a'], 'listing passes through');
});

test('latency is recorded per deployment for successful calls only', async () => {
  const book = new LatencyBook();
  let t = 0;
  const p = timed(recording('groq'), book, () => (t += 40));
  await p.complete(call('openai/gpt-oss-20b'));
  assert.equal(book.get('groq/openai/gpt-oss-20b'), 40);
  const failing = timed(recording('groq', new GatewayError('upstream_error', 'boom')), book, () => (t += 1000));
  await assert.rejects(failing.complete(call('x')));
  assert.equal(book.get('groq/x'), undefined);
  // Later calls average into the same key; past a thousand models the kept key strings start over
  // and every model still lands on its own key.
  await p.complete(call('openai/gpt-oss-20b'));
  assert.equal(book.get('groq/openai/gpt-oss-20b'), 40);
  for (let i = 0; i < 1100; i++) await p.stream(call(`m${i}`));
  assert.equal(book.get('groq/m0'), 40);
  assert.equal(book.get('groq/m1099'), 40);
  await p.stream(call('m0'));
  assert.equal(book.get('groq/m0'), 40);
});

test('reasoning_effort is removed only for deployments known not to reason', async () => {
  const inner = recording('together');
  const p = withoutEffortFor(inner, new Set(['together/Qwen/Qwen2.5-7B-Instruct-Turbo']));
  await p.complete(call('Qwen/Qwen2.5-7B-Instruct-Turbo', 'high'));
  await p.complete(call('openai/gpt-oss-20b', 'high'));
  assert.equal(inner.seen[0].request.reasoningEffort, undefined);
  assert.equal('reasoning_effort' in inner.seen[0].request.body, false);
  assert.equal(inner.seen[1].request.reasoningEffort, 'high');
  assert.equal(inner.seen[1].request.body.reasoning_effort, 'high');
});
