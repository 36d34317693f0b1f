/**
 * Issue 7 through the real gateway: the exact-match response cache (opt-in by header or by key
 * policy; streams replayed as streams) and reasoning visibility by key policy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { simConfig, startGateway, startSim, type Proc } from '../../helpers/procs.js';
import { clientFor, createKey, MASTER } from './governed.js';

const CACHE = { headers: { 'x-switchyard-cache': 'true' } };
const THOUGHT = 'The user greets me; a short greeting back is enough.';

describe('response cache and reasoning visibility through the gateway', () => {
  let sim: Proc;
  let gw: Proc & { dbPath: string };

  before(async () => {
    sim = await startSim(['--chunks', '4']);
    gw = await startGateway(simConfig(sim.url), { env: { SWITCHYARD_MASTER_KEY: MASTER } });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  const upstreamCalls = async (): Promise<number> => ((await (await fetch(`${sim.origin}/sim/stats`)).json()) as { requests: number }).requests;

  async function collect(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<OpenAI.ChatCompletionChunk[]> {
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    return chunks;
  }

  test('x-switchyard-cache: true answers a repeated request from the cache', async () => {
    const client = clientFor(gw.url, (await createKey(gw.origin, { name: 'cache-by-header' })).secret);
    const body = { model: 'gpt-oss-20b', messages: [{ role: 'user' as const, content: 'cache this answer' }] };
    const first = await client.chat.completions.create(body, CACHE).withResponse();
    const calls = await upstreamCalls();
    const second = await client.chat.completions.create(body, CACHE).withResponse();
    assert.equal(second.response.headers.get('x-switchyard-cache'), 'hit');
    assert.equal(await upstreamCalls(), calls, 'the simulator was not called again');
    assert.deepEqual(second.data, first.data);

    // Without the header (and without a key policy) the same request goes upstream.
    const third = await client.chat.completions.create(body).withResponse();
    assert.equal(third.response.headers.get('x-switchyard-cache'), null);
    assert.equal(await upstreamCalls(), calls + 1);
  });

  test('a cached stream is replayed as a stream the openai client parses identically', async () => {
    const client = clientFor(gw.url, (await createKey(gw.origin, { name: 'cache-stream' })).secret);
    const body = { model: 'gpt-oss-20b', messages: [{ role: 'user' as const, content: 'stream and cache' }], stream: true as const, stream_options: { include_usage: true } };
    const first = await client.chat.completions.create(body, CACHE).withResponse();
    const live = await collect(first.data);
    const calls = await upstreamCalls();
    const second = await client.chat.completions.create(body, CACHE).withResponse();
    assert.equal(second.response.headers.get('x-switchyard-cache'), 'hit');
    assert.match(second.response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const replayed = await collect(second.data);
    assert.equal(await upstreamCalls(), calls);
    assert.deepEqual(replayed, live);
    assert.equal(replayed.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'You said: stream and cache');
    assert.ok(replayed.filter((c) => c.choices[0]?.delta.content).length >= 2, 'still several content chunks');

    // The non-streamed form of the same request is a different entry.
    const plain = await client.chat.completions.create({ model: body.model, messages: body.messages }, CACHE).withResponse();
    assert.equal(plain.response.headers.get('x-switchyard-cache'), null);
    assert.equal(await upstreamCalls(), calls + 1);
  });

  test('a key with cache: true caches without the header; x-switchyard-cache: false opts out', async () => {
    const client = clientFor(gw.url, (await createKey(gw.origin, { name: 'cache-by-policy', cache: true })).secret);
    const body = { model: 'gpt-oss-20b', messages: [{ role: 'user' as const, content: 'policy cached' }] };
    await client.chat.completions.create(body);
    const calls = await upstreamCalls();
    const hit = await client.chat.completions.create(body).withResponse();
    assert.equal(hit.response.headers.get('x-switchyard-cache'), 'hit');
    const bypass = await client.chat.completions.create(body, { headers: { 'x-switchyard-cache': 'false' } }).withResponse();
    assert.equal(bypass.response.headers.get('x-switchyard-cache'), null);
    assert.equal(await upstreamCalls(), calls + 1);
  });

  const ask = (stream: boolean) => ({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'hello there' }], stream, sim: { reasoning: THOUGHT } });

  test('a key with reasoning: exposed sees message.reasoning and delta.reasoning', async () => {
    const client = clientFor(gw.url, (await createKey(gw.origin, { name: 'sees-reasoning', reasoning: 'exposed' })).secret);
    const r = await client.chat.completions.create(ask(false) as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const message = r.choices[0].message as OpenAI.ChatCompletionMessage & { reasoning?: string };
    assert.equal(message.reasoning, THOUGHT);
    assert.equal(message.content, 'You said: hello there');

    const chunks = await collect(await client.chat.completions.create(ask(true) as unknown as OpenAI.ChatCompletionCreateParamsStreaming));
    const deltas = chunks.map((c) => c.choices[0]?.delta as { reasoning?: string } | undefined);
    assert.equal(deltas.map((d) => d?.reasoning ?? '').join(''), THOUGHT);

    // A request may always ask for less than its key allows.
    const less = await client.chat.completions.create(ask(false) as OpenAI.ChatCompletionCreateParamsNonStreaming, { headers: { 'x-switchyard-reasoning': 'hidden' } });
    assert.equal((less.choices[0].message as { reasoning?: string }).reasoning, undefined);
  });

  test('a hidden key never sees reasoning, even asking with x-switchyard-reasoning: exposed', async () => {
    const key = await createKey(gw.origin, { name: 'no-reasoning', reasoning: 'hidden' });
    for (const stream of [false, true]) {
      const res = await fetch(`${gw.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', 'x-switchyard-reasoning': 'exposed' },
        body: JSON.stringify(ask(stream)),
      });
      assert.equal(res.status, 200);
      const raw = await res.text();
      assert.ok(raw.includes(stream ? 'data: [DONE]' : 'You said: hello there'), `the answer itself arrives: ${raw}`);
      for (const fragment of ['greets me', 'short greeting', '"reasoning"', 'reasoning_content']) {
        assert.ok(!raw.includes(fragment), `${stream ? 'stream' : 'body'} leaks ${fragment}: ${raw}`);
      }
    }
  });
});
