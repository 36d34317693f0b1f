/**
 * Issue 2, end to end: the real gateway and simulator processes on loopback, driven by the
 * official `openai` client, streaming and not, tools, usage, pass-through and the request log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Database from 'better-sqlite3';
import { Agent, request } from 'node:http';
import { simConfig, startGateway, startSim, type Proc } from '../../helpers/procs.js';

describe('chat completions through the gateway', () => {
  let sim: Proc;
  let gw: Proc & { dbPath: string };
  let client: OpenAI;

  before(async () => {
    sim = await startSim(['--chunks', '4']);
    gw = await startGateway(simConfig(sim.url, ['gpt-oss-20b', 'qwen2.5-7b-instruct']));
    client = new OpenAI({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  test('non-streaming answer with usage, cost and routing headers', async () => {
    const { data, response } = await client.chat.completions.create({
      model: 'gpt-oss-20b',
      messages: [{ role: 'user', content: 'What is 2 + 2?' }],
    }).withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, 'gpt-oss-20b');
    assert.equal(data.choices[0].message.role, 'assistant');
    assert.equal(data.choices[0].message.content, 'You said: What is 2 + 2?');
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.ok(data.usage && data.usage.prompt_tokens > 0 && data.usage.completion_tokens === 4);
    const cost = (data.usage as unknown as { cost: number }).cost;
    const expected = (data.usage.prompt_tokens * 0.05 + data.usage.completion_tokens * 0.2) / 1e6;
    assert.ok(Math.abs(cost - expected) < 1e-12, `cost ${cost} vs ${expected}`);
    assert.equal(response.headers.get('x-switchyard-model'), 'gpt-oss-20b');
    assert.equal(response.headers.get('x-switchyard-provider'), 'sim');
    assert.ok(response.headers.get('x-switchyard-route'));
    assert.equal(Number(response.headers.get('x-switchyard-cost-usd')), cost);
    assert.ok(response.headers.get('x-request-id'));
  });

  test('streaming answer arrives in chunks and ends with usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-oss-20b',
      messages: [{ role: 'user', content: 'stream me please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let contentChunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const c = chunk.choices[0];
      if (!c) continue;
      if (c.delta.content) { text += c.delta.content; contentChunks++; }
      if (c.finish_reason) finish = c.finish_reason;
    }
    assert.equal(text, 'You said: stream me please');
    assert.equal(contentChunks, 4);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.completion_tokens === 4 && usage.total_tokens === usage.prompt_tokens + 4);
  });

  test('streamed text arrives byte for byte, ASCII or not, in every chunk of it', async () => {
    // The sim echoes the message in 4 chunks, which the gateway forwards; a socket read that is
    // ASCII from a chunk on is decoded at once, others chunk by chunk, so both kinds and their
    // mixes go through here, repeatedly (later streams take the paths learned from earlier ones).
    const texts = ['plain ascii text only', 'héllo wörld ☃ 😀 日本語', 'ascii first, then ☃', '😀 first, then ascii', 'ü'];
    for (let round = 0; round < 3; round++) {
      for (const content of texts) {
        const stream = await client.chat.completions.create({ model: 'gpt-oss-20b', messages: [{ role: 'user', content }], stream: true });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        assert.equal(text, `You said: ${content}`);
      }
    }
  });

  test('streaming without include_usage sends no usage chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'x' }], stream: true });
    for await (const chunk of stream) assert.equal(chunk.usage ?? undefined, undefined);
  });

  test('a slow stream\'s role header and first token reach the client when they are generated, not with the end', async () => {
    const t0 = performance.now();
    const stream = await client.chat.completions.create({
      model: 'gpt-oss-20b',
      messages: [{ role: 'user', content: 'slowly' }],
      stream: true,
      sim: { chunk_interval_ms: 150 },
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    let role = -1;
    let first = -1;
    let text = '';
    for await (const chunk of stream) {
      const d = chunk.choices[0]?.delta;
      if (d?.role && role < 0) role = performance.now() - t0;
      if (d?.content) { if (first < 0) first = performance.now() - t0; text += d.content; }
    }
    const end = performance.now() - t0;
    assert.equal(text, 'You said: slowly');
    // Four chunks 150 ms apart, then the finish: the first token is ~600 ms ahead of the end.
    assert.ok(role >= 0 && role <= first, `role at ${role} ms, first token at ${first} ms`);
    assert.ok(end - first >= 300, `first token at ${first.toFixed(0)} ms, end at ${end.toFixed(0)} ms`);
  });

  test('a streamed answer keeps the connection open only when the client asked to keep it', async () => {
    const body = JSON.stringify({ model: 'gpt-oss-20b', stream: true, messages: [{ role: 'user', content: 'x' }] });
    // A keep-alive agent: a socket closes only when the response says so (or the server closes it).
    const agent = new Agent({ keepAlive: true });
    const ask = (connection: string) => new Promise<{ header: string | undefined; text: string; closed: boolean }>((resolve, reject) => {
      const req = request(`${gw.url}/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json', connection } }, (res) => {
        let text = '';
        // A socket the server keeps open stays open after the body; one it closes ends at once.
        const sock = res.socket;
        let closed = false;
        sock.once('close', () => { closed = true; });
        res.setEncoding('utf8');
        res.on('data', (c: string) => { text += c; });
        res.on('end', () => {
          setTimeout(() => resolve({ header: res.headers.connection, text, closed }), 300);
        });
      });
      req.on('error', reject);
      req.end(body);
    });
    const [close, keep] = await Promise.all([ask('close'), ask('keep-alive')]).finally(() => agent.destroy());
    assert.equal(close.header, 'close');
    assert.ok(close.closed, 'the server closes the connection');
    assert.match(close.text, /data: \[DONE\]\n\n$/);
    assert.equal(keep.header, 'keep-alive');
    assert.equal(keep.closed, false);
    assert.match(keep.text, /data: \[DONE\]\n\n$/);
  });

  test('tool calls, non-streaming and streaming, with ids and JSON arguments', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const sim = { tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] };
    const r = await client.chat.completions.create({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'weather?' }], tools, tool_choice: 'auto', sim } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const call = r.choices[0].message.tool_calls?.[0];
    assert.equal(r.choices[0].finish_reason, 'tool_calls');
    assert.ok(call && call.type === 'function' && call.id);
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });

    const stream = await client.chat.completions.create({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'weather?' }], tools, stream: true, sim } as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
    const calls = new Map<number, { id?: string; name: string; args: string }>();
    let finish: string | null = null;
    for await (const chunk of stream) {
      const c = chunk.choices[0];
      if (!c) continue;
      for (const tc of c.delta.tool_calls ?? []) {
        const cur = calls.get(tc.index) ?? { name: '', args: '' };
        if (tc.id) cur.id = tc.id;
        if (tc.function?.name) cur.name += tc.function.name;
        if (tc.function?.arguments) cur.args += tc.function.arguments;
        calls.set(tc.index, cur);
      }
      if (c.finish_reason) finish = c.finish_reason;
    }
    assert.equal(finish, 'tool_calls');
    assert.equal(calls.size, 1);
    const only = calls.get(0)!;
    assert.ok(only.id);
    assert.equal(only.name, 'get_weather');
    assert.deepEqual(JSON.parse(only.args), { city: 'Paris' });
  });

  test('parameters and unknown fields reach the upstream; the model id is the deployment\'s', async () => {
    await client.chat.completions.create({
      model: 'qwen2.5-7b-instruct',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.3, top_p: 0.9, seed: 7, user: 'u-1', stop: ['END'], max_completion_tokens: 55,
      response_format: { type: 'json_object' },
      custom_vendor_flag: { deep: true },
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const stats = await (await fetch(`${sim.origin}/sim/stats`)).json() as { lastBody: Record<string, unknown> };
    const b = stats.lastBody;
    assert.equal(b.model, 'qwen2.5-7b-instruct');
    assert.equal(b.temperature, 0.3);
    assert.equal(b.top_p, 0.9);
    assert.equal(b.seed, 7);
    assert.equal(b.user, 'u-1');
    assert.deepEqual(b.stop, ['END']);
    assert.equal(b.max_completion_tokens, 55);
    assert.deepEqual(b.response_format, { type: 'json_object' });
    assert.deepEqual(b.custom_vendor_flag, { deep: true });
  });

  test('GET /v1/models lists the configured models; /health answers', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.deepEqual(ids.sort(), ['auto', 'gpt-oss-20b', 'qwen2.5-7b-instruct'], 'the configured models and the built-in auto');
    const h = await fetch(`${gw.origin}/health`);
    assert.equal(h.status, 200);
    assert.equal(((await h.json()) as { status: string }).status, 'ok');
  });

  test('every request, failed ones too, is in the SQLite request log after shutdown', async () => {
    await client.chat.completions.create({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: 'log me' }] });
    await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }));
    const code = await gw.stop();
    assert.equal(code, 0);
    const db = new Database(gw.dbPath, { readonly: true });
    try {
      const rows = db.prepare('SELECT model, provider, status, error_code, input_tokens, output_tokens, cost_usd, latency_ms, stream FROM request_log').all() as Array<Record<string, number | string | null>>;
      const ok = rows.filter((r) => r.status === 200);
      assert.ok(ok.length >= 5, `expected the successful requests, got ${ok.length}`);
      const logged = ok.find((r) => r.model === 'gpt-oss-20b' && r.stream === 0)!;
      assert.equal(logged.provider, 'sim');
      assert.ok((logged.input_tokens as number) > 0 && (logged.output_tokens as number) > 0);
      assert.ok((logged.cost_usd as number) > 0);
      assert.ok((logged.latency_ms as number) > 0);
      assert.ok(rows.some((r) => r.status === 404 && r.error_code === 'model_not_found' && r.model === 'nope'));
      assert.ok(rows.some((r) => r.stream === 1 && r.status === 200 && (r.output_tokens as number) > 0));
    } finally {
      db.close();
    }
  });
});
