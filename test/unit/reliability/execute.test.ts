/**
 * execute.ts under the reliability policy, with scripted in-process providers: failover,
 * timeouts that fire on a stalled upstream, breakers, 429 cool-down, per-request fallbacks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors.js';
import type { ChatRequest, ChatResult, StreamPart } from '../../../src/core/types.js';
import type { Provider, ProviderCall } from '../../../src/providers/provider.js';
import type { Deployment } from '../../../src/router/registry.js';
import { executeComplete, executeStream } from '../../../src/server/execute.js';
import { Reliability } from '../../../src/reliability/reliability.js';
import type { ReliabilityConfig } from '../../../src/config/schema.js';

type Script = 'ok' | 'hang' | 'stall-mid' | 'error-before' | '503' | '429' | '400';

class ScriptedProvider implements Provider {
  calls = 0;
  bodies: Record<string, unknown>[] = [];
  constructor(readonly id: string, private readonly script: () => Script) {}
  private fail(s: Script): void {
    if (s === '503') throw new GatewayError('upstream_unavailable', `${this.id} 503`, { upstreamStatus: 503 });
    if (s === '429') throw new GatewayError('upstream_rate_limited', `${this.id} 429`, { upstreamStatus: 429, retryAfterSeconds: 0 });
    if (s === '400') throw new GatewayError('upstream_bad_request', `${this.id} 400`, { upstreamStatus: 400 });
  }
  async complete(call: ProviderCall): Promise<ChatResult> {
    this.calls++;
    this.bodies.push(call.request.body);
    const s = this.script();
    this.fail(s);
    if (s === 'hang') return new Promise(() => undefined); // ignores its signal on purpose
    return { id: this.id, choices: [{ index: 0, content: `from ${this.id}`, finish: { unified: 'stop', raw: 'stop' } }] } as ChatResult;
  }
  async stream(call: ProviderCall): Promise<AsyncIterable<StreamPart>> {
    this.calls++;
    this.bodies.push(call.request.body);
    const s = this.script();
    this.fail(s);
    const id = this.id;
    return (async function* () {
      yield { type: 'start', id } as StreamPart;
      if (s === 'hang') await new Promise(() => undefined);
      if (s === 'error-before') { yield { type: 'error', error: new GatewayError('upstream_error', 'reset') } as StreamPart; return; }
      yield { type: 'text', text: `from ${id}` } as StreamPart;
      if (s === 'stall-mid') await new Promise(() => undefined);
      yield { type: 'finish', reason: { unified: 'stop', raw: 'stop' } } as StreamPart;
    })();
  }
}

const dep = (p: Provider, modelName = 'm'): Deployment =>
  ({ key: `${p.id}/x`, modelName, provider: p, providerId: p.id, upstreamModel: 'x', capabilities: {}, locality: 'cloud', weight: 1 });

const chat = (stream: boolean, body: Record<string, unknown> = {}): ChatRequest =>
  ({ body: { model: 'm', messages: [], ...body }, model: 'm', messages: [], stream, includeUsage: false, hasTools: false, hasImages: false, wantsJson: false });

function policy(r: ReliabilityConfig = {}): Reliability {
  return new Reliability({ config: { providers: [], models: [], reliability: { retry: { max_retries: 0 }, ...r } } });
}

async function collect(it: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of it) out.push(p);
  return out;
}

const live = () => new AbortController().signal;

test('a stream that fails before its first token fails over transparently', async () => {
  const a = new ScriptedProvider('a', () => 'error-before');
  const b = new ScriptedProvider('b', () => 'ok');
  const r = await executeStream({ deployments: [dep(a), dep(b)], reason: 'configured order' }, chat(true), live(), { reliability: policy() });
  const parts = await collect(r.value);
  assert.equal(r.deployment.providerId, 'b');
  assert.match(r.route, /failover after a\/x/);
  assert.deepEqual(parts.map((p) => p.type), ['start', 'text', 'finish']);
});

test('an upstream that never sends a first token hits ttft_ms and the next deployment answers', async () => {
  const a = new ScriptedProvider('a', () => 'hang');
  const b = new ScriptedProvider('b', () => 'ok');
  const rel = policy({ timeouts: { ttft_ms: 30 } });
  const r = await executeStream({ deployments: [dep(a), dep(b)], reason: 'x' }, chat(true), live(), { reliability: rel });
  assert.equal(r.deployment.providerId, 'b');
  assert.match(r.route, /upstream_timeout/);
});

test('a stream that stalls after the client got bytes ends with a timeout error part, never hangs', async () => {
  const a = new ScriptedProvider('a', () => 'stall-mid');
  const r = await executeStream({ deployments: [dep(a)], reason: 'x' }, chat(true), live(), { reliability: policy({ timeouts: { idle_ms: 30 } }) });
  const parts = await collect(r.value);
  assert.deepEqual(parts.map((p) => p.type), ['start', 'text', 'error']);
  const last = parts[2];
  assert.ok(last.type === 'error' && last.error.code === 'upstream_timeout');
});

test('a non-streaming call that hangs hits total_ms even if the provider ignores its signal', async () => {
  const a = new ScriptedProvider('a', () => 'hang');
  await assert.rejects(
    executeComplete({ deployments: [dep(a)], reason: 'x' }, chat(false), live(), { reliability: policy({ timeouts: { total_ms: 30 } }) }),
    (e: GatewayError) => e.code === 'upstream_timeout',
  );
});

test('an open breaker stops traffic to a dead deployment', async () => {
  const a = new ScriptedProvider('a', () => '503');
  const b = new ScriptedProvider('b', () => 'ok');
  const rel = policy({ circuit_breaker: { consecutive_failures: 3, open_ms: 60_000 } });
  for (let i = 0; i < 20; i++) {
    const r = await executeComplete({ deployments: [dep(a), dep(b)], reason: 'x' }, chat(false), live(), { reliability: rel });
    assert.equal(r.deployment.providerId, 'b');
  }
  assert.equal(a.calls, 3, 'a was called only until its breaker opened');
  assert.equal(rel.snapshot()['a/x'].state, 'open');
});

test('when every breaker is open the last resort still tries them, and a success closes the circuit', async () => {
  let n = 0;
  const a = new ScriptedProvider('a', () => (n++ === 0 ? '503' : 'ok'));
  const rel = policy({ circuit_breaker: { consecutive_failures: 1, open_ms: 60_000 } });
  await assert.rejects(executeComplete({ deployments: [dep(a)], reason: 'x' }, chat(false), live(), { reliability: rel }));
  assert.equal(rel.snapshot()['a/x'].state, 'open');
  const r = await executeComplete({ deployments: [dep(a)], reason: 'x' }, chat(false), live(), { reliability: rel });
  assert.match(r.route, /last resort/);
  assert.equal(rel.snapshot()['a/x'].state, 'closed');
});

test('with last_resort off, every breaker open fails fast with 503 and Retry-After', async () => {
  const a = new ScriptedProvider('a', () => '503');
  const rel = policy({ circuit_breaker: { consecutive_failures: 1, open_ms: 60_000, last_resort: false } });
  await assert.rejects(executeComplete({ deployments: [dep(a)], reason: 'x' }, chat(false), live(), { reliability: rel }));
  await assert.rejects(
    executeComplete({ deployments: [dep(a)], reason: 'x' }, chat(false), live(), { reliability: rel }),
    (e: GatewayError) => e.code === 'upstream_unavailable' && e.retryAfterSeconds === 60,
  );
  assert.equal(a.calls, 1);
});

test('a 429 is retried after its Retry-After and does not count against the breaker', async () => {
  let n = 0;
  const a = new ScriptedProvider('a', () => (n++ === 0 ? '429' : 'ok'));
  const rel = policy({ retry: { max_retries: 2, base_ms: 1 }, circuit_breaker: { consecutive_failures: 1 } });
  const r = await executeComplete({ deployments: [dep(a)], reason: 'x' }, chat(false), live(), { reliability: rel });
  assert.equal(r.deployment.providerId, 'a');
  assert.equal(a.calls, 2);
  assert.equal(rel.snapshot()['a/x'].state, 'closed');
});

test('a request the upstream rejects as invalid is not retried elsewhere', async () => {
  const a = new ScriptedProvider('a', () => '400');
  const b = new ScriptedProvider('b', () => 'ok');
  await assert.rejects(
    executeComplete({ deployments: [dep(a), dep(b)], reason: 'x' }, chat(false), live(), { reliability: policy() }),
    (e: GatewayError) => e.code === 'upstream_bad_request',
  );
  assert.equal(b.calls, 0);
});

test('the routing-only `models` field is not sent upstream', async () => {
  const a = new ScriptedProvider('a', () => 'ok');
  await executeComplete({ deployments: [dep(a)], reason: 'x' }, chat(false, { models: ['m2'] }), live(), { reliability: policy() });
  assert.equal('models' in a.bodies[0], false);
});

/** A stream whose reads never answer, and which records being given back. */
class HangingStream implements Provider {
  returned = 0;
  /** `sendsFirst`: a role header and one text before it hangs. */
  constructor(readonly id: string, private readonly openAfterMs = 0, private readonly sendsFirst = false) {}
  async complete(): Promise<ChatResult> { throw new Error('not used'); }
  async stream(): Promise<AsyncIterable<StreamPart>> {
    // Ignores its signal on purpose, and may answer only after the deadline.
    if (this.openAfterMs) await new Promise((r) => setTimeout(r, this.openAfterMs));
    const first: StreamPart[] = this.sendsFirst ? [{ type: 'start', id: this.id }, { type: 'text', text: 'x' }] : [];
    const iterator: AsyncIterator<StreamPart> = {
      next: () => (first.length ? Promise.resolve({ done: false, value: first.shift()! }) : new Promise(() => undefined)),
      return: async () => { this.returned++; return { done: true, value: undefined }; },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }
}

test('a stream cut by ttft_ms while opening is given back, even when the provider answers after the cut', async () => {
  for (const openAfterMs of [0, 80]) {
    const a = new HangingStream('a', openAfterMs);
    const b = new ScriptedProvider('b', () => 'ok');
    const r = await executeStream({ deployments: [dep(a), dep(b)], reason: 'x' }, chat(true), live(), { reliability: policy({ timeouts: { ttft_ms: 30 } }) });
    assert.equal(r.deployment.providerId, 'b');
    assert.match(r.route, /upstream_timeout/);
    await collect(r.value);
    await new Promise((resolve) => setTimeout(resolve, openAfterMs + 20));
    assert.equal(a.returned, 1, `opened after ${openAfterMs} ms`);
  }
});

test('a client that leaves while a stream opens gets no stream, and the upstream one is given back', async () => {
  const a = new HangingStream('a');
  const client = new AbortController();
  const pending = executeStream({ deployments: [dep(a)], reason: 'x' }, chat(true), client.signal, { reliability: policy() });
  setTimeout(() => client.abort(), 20);
  await assert.rejects(pending);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(a.returned, 1);
});

/** A stream whose parts come on a schedule: the first text after `firstMs`, then one every `everyMs`, `count` in all, then a stall (or the end). */
class PacedStream implements Provider {
  constructor(readonly id: string, private readonly o: { firstMs: number; everyMs: number; count: number; stall: boolean }) {}
  async complete(): Promise<ChatResult> { throw new Error('stream only'); }
  async stream(): Promise<AsyncIterable<StreamPart>> {
    const { firstMs, everyMs, count, stall } = this.o;
    const id = this.id;
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    return (async function* () {
      yield { type: 'start', id } as StreamPart;
      await wait(firstMs);
      for (let i = 0; i < count; i++) {
        if (i > 0) await wait(everyMs);
        yield { type: 'text', text: `t${i}` } as StreamPart;
      }
      if (stall) await new Promise(() => undefined);
      yield { type: 'finish', reason: { unified: 'stop', raw: 'stop' } } as StreamPart;
    })();
  }
}

const texts = (parts: StreamPart[]) => parts.filter((p) => p.type === 'text').length;

/** Streams from `p` alone under `timeouts` to the end: the parts, how long it took, and the error part it ended with, if any. */
async function runTimed(p: Provider, timeouts: ReliabilityConfig['timeouts']) {
  const t0 = performance.now();
  const r = await executeStream({ deployments: [dep(p)], reason: 'x' }, chat(true), live(), { reliability: policy({ timeouts }) });
  const parts = await collect(r.value);
  const last = parts[parts.length - 1];
  return { parts, took: performance.now() - t0, error: last?.type === 'error' ? last.error : null };
}

test('parts that keep coming within idle_ms are never cut, past ttft_ms and many idle_ms in all; the stall after them is, at idle_ms', async () => {
  // Margins wide enough for a loaded machine: parts 10 ms apart against a 150 ms idle limit.
  const a = new PacedStream('a', { firstMs: 5, everyMs: 10, count: 40, stall: true });
  const r = await executeStream({ deployments: [dep(a)], reason: 'x' }, chat(true), live(), { reliability: policy({ timeouts: { ttft_ms: 40, idle_ms: 150 } }) });
  const it = r.value[Symbol.asyncIterator]();
  let lastText = 0;
  const parts: StreamPart[] = [];
  for (;;) {
    const n = await it.next();
    if (n.done) break;
    parts.push(n.value);
    if (n.value.type === 'text') lastText = performance.now();
  }
  const waited = performance.now() - lastText;
  assert.equal(texts(parts), 40);
  const last = parts[parts.length - 1];
  assert.ok(last.type === 'error' && last.error.code === 'upstream_timeout', JSON.stringify(last));
  assert.match(last.type === 'error' ? last.error.message : '', /stalled for 150 ms/);
  assert.ok(waited >= 145, `cut ${waited.toFixed(1)} ms after the last part`);
});

test('a first token later than idle_ms but within ttft_ms is not cut: the idle limit starts once the stream is open', async () => {
  const a = new PacedStream('a', { firstMs: 250, everyMs: 1, count: 3, stall: false });
  const r = await executeStream({ deployments: [dep(a)], reason: 'x' }, chat(true), live(), { reliability: policy({ timeouts: { ttft_ms: 3000, idle_ms: 100 } }) });
  const parts = await collect(r.value);
  assert.equal(r.deployment.providerId, 'a');
  assert.deepEqual(parts.map((p) => p.type), ['start', 'text', 'text', 'text', 'finish']);
});

test('total_ms ends a stream that keeps sending, with the total\'s message', async () => {
  const a = new PacedStream('a', { firstMs: 1, everyMs: 10, count: 1000, stall: false });
  const { parts, took, error } = await runTimed(a, { total_ms: 150, idle_ms: 1000 });
  assert.equal(error?.code, 'upstream_timeout');
  assert.match(error?.message ?? '', /did not finish within 150 ms/);
  assert.ok(texts(parts) > 3 && took >= 145, `${texts(parts)} parts in ${took.toFixed(1)} ms`);
});

test('a client that leaves mid-stream ends it without an error part, and the provider\'s stream is given back', async () => {
  const a = new HangingStream('a', 0, true);
  const client = new AbortController();
  const r = await executeStream({ deployments: [dep(a)], reason: 'x' }, chat(true), client.signal, { reliability: policy() });
  const it = r.value[Symbol.asyncIterator]();
  assert.equal((await it.next()).value?.type, 'start');
  assert.equal((await it.next()).value?.type, 'text');
  setTimeout(() => client.abort(), 10);
  assert.deepEqual(await it.next(), { done: true, value: undefined });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(a.returned, 1);
});

test('with ttft_ms longer than idle_ms, a stall right after the first token is cut at idle_ms, not at ttft_ms', async () => {
  const a = new PacedStream('a', { firstMs: 1, everyMs: 1, count: 2, stall: true });
  const { parts, took, error } = await runTimed(a, { ttft_ms: 5000, idle_ms: 40 });
  assert.match(error?.message ?? '', /stalled for 40 ms/, JSON.stringify(parts[parts.length - 1]));
  assert.ok(took < 2500, `cut after ${took.toFixed(1)} ms`);
});

/** A provider whose stream already holds its parts, as an upstream's first read often does (PollableIterator). */
class QueuedProvider implements Provider {
  nextCalls = 0;
  constructor(readonly id: string, private readonly parts: StreamPart[]) {}
  async complete(): Promise<ChatResult> { throw new Error('not used'); }
  async stream(): Promise<AsyncIterable<StreamPart>> {
    const queue = [...this.parts];
    const self = this;
    const it = {
      poll: (): IteratorResult<StreamPart> | undefined => (queue.length ? { done: false, value: queue.shift()! } : { done: true, value: undefined }),
      next: (): Promise<IteratorResult<StreamPart>> => { self.nextCalls++; return Promise.resolve(it.poll()!); },
      return: (): Promise<IteratorResult<StreamPart>> => Promise.resolve({ done: true, value: undefined }),
    };
    return { [Symbol.asyncIterator]: () => it };
  }
}

test('a stream whose parts are already here opens by polling them, and an error part among them still fails over', async () => {
  const finish = { type: 'finish', reason: { unified: 'stop', raw: 'stop' } } as StreamPart;
  const a = new QueuedProvider('a', [{ type: 'start', id: 'a' }, { type: 'error', error: new GatewayError('upstream_error', 'reset') }]);
  const b = new QueuedProvider('b', [{ type: 'start', id: 'b' }, { type: 'text', text: 'from b' }, finish]);
  const r = await executeStream({ deployments: [dep(a), dep(b)], reason: 'configured order' }, chat(true), live(), { reliability: policy() });
  assert.equal(r.deployment.providerId, 'b');
  assert.match(r.route, /failover after a\/x/);
  // Opening took the role header and the first token without a promise each.
  assert.equal(a.nextCalls, 0);
  assert.equal(b.nextCalls, 0);
  const parts = await collect(r.value);
  assert.deepEqual(parts, [{ type: 'start', id: 'b' }, { type: 'text', text: 'from b' }, finish]);
});
