/**
 * Issue 2, error cases end to end: OpenAI's error shape and the right status for bad input,
 * auth, unknown models, oversize bodies and each upstream failure the simulator can inject.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGateway, startSim, type Proc } from '../../helpers/procs.js';

const MASTER = 'sk-test-master-key';

interface ErrorBody { error: { message: string; type: string; param: string | null; code: string } }

describe('errors through the gateway', () => {
  let sim: Proc;
  let gw: Proc;
  let client: OpenAI;

  before(async () => {
    sim = await startSim();
    gw = await startGateway({
      server: { max_body_bytes: 64 * 1024 },
      providers: [{ id: 'sim', type: 'openai-compatible', base_url: sim.url, timeout_ms: 1500 }],
      models: [{ name: 'm', deployments: [{ provider: 'sim', model: 'm' }] }],
    }, { env: { SWITCHYARD_MASTER_KEY: MASTER } });
    client = new OpenAI({ baseURL: gw.url, apiKey: MASTER, maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  async function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: ErrorBody; headers: Headers }> {
    const r = await fetch(`${gw.url}/chat/completions`, { method: 'POST', body, headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json', ...headers } });
    return { status: r.status, json: await r.json() as ErrorBody, headers: r.headers };
  }

  async function apiError(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof OpenAI.APIError, `expected an APIError, got ${String(err)}`);
      return err;
    }
    assert.fail('expected the request to fail');
  }

  const ask = (sim: Record<string, unknown>, stream = false) => client.chat.completions.create({
    model: 'm', messages: [{ role: 'user', content: 'hi' }], stream, sim,
  } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);

  test('invalid JSON is a 400 invalid_json', async () => {
    const r = await post('{"model": "m", ');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_json');
    assert.equal(r.json.error.type, 'invalid_request_error');
  });

  test('a bad parameter is a 400 that names it', async () => {
    for (const [body, param] of [
      [{ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }, 'temperature'],
      [{ model: 'm', messages: [] }, 'messages'],
      [{ messages: [{ role: 'user', content: 'x' }] }, 'model'],
      [{ model: 'm', messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
      [{ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: -1 }, 'max_tokens'],
      [{ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function' }] }, 'tools[0]'],
      [{ model: 'm', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } }, 'stream_options'],
    ] as const) {
      const r = await post(JSON.stringify(body));
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.param, param);
      assert.match(r.json.error.message, new RegExp(param.replace(/[[\]]/g, '\\$&')));
    }
  });

  test('a missing or wrong key is a 401', async () => {
    const none = await fetch(`${gw.url}/chat/completions`, { method: 'POST', body: '{}' });
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as ErrorBody).error.code, 'invalid_api_key');
    const wrong = new OpenAI({ baseURL: gw.url, apiKey: 'sk-wrong', maxRetries: 0 });
    const err = await apiError(wrong.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(err.status, 401);
    const models = await fetch(`${gw.url}/models`);
    assert.equal(models.status, 401);
  });

  test('an unknown model is a 404 model_not_found', async () => {
    const err = await apiError(client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(err.status, 404);
    assert.equal(err.code, 'model_not_found');
    assert.equal(err.param, 'model');
  });

  test('a body over the limit is a 413', async () => {
    const r = await post(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] }));
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, 'request_too_large');
  });

  test('upstream 500 is a 502 that keeps the upstream message', async () => {
    const err = await apiError(ask({ fault: 'http_500' }));
    assert.equal(err.status, 502);
    assert.equal(err.code, 'upstream_error');
    assert.match(err.message, /simulated 500 failure/);
  });

  test('upstream 503 is a 503; upstream 429 is a 429 with Retry-After', async () => {
    const e503 = await apiError(ask({ fault: 'http_503' }));
    assert.equal(e503.status, 503);
    assert.match(e503.message, /simulated 503/);
    const e429 = await apiError(ask({ fault: 'http_429', retry_after: 7 }));
    assert.equal(e429.status, 429);
    assert.equal(e429.headers?.get('retry-after'), '7');
  });

  test('a hanging upstream is a 504 after the provider timeout', async () => {
    const err = await apiError(ask({ fault: 'hang' }));
    assert.equal(err.status, 504);
    assert.equal(err.code, 'upstream_timeout');
  });

  test('a connection reset before the answer is a 502', async () => {
    const err = await apiError(ask({ fault: 'reset' }));
    assert.equal(err.status, 502);
  });

  test('a stream cut mid-way or a malformed chunk ends with an OpenAI-shaped error event', async () => {
    for (const fault of ['reset', 'malformed']) {
      const stream = await client.chat.completions.create({
        model: 'm', messages: [{ role: 'user', content: 'a longer message to stream' }], stream: true, sim: { fault, fault_after: 2, chunk_interval_ms: 20 },
      } as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
      let text = '';
      const err = await apiError((async () => { for await (const c of stream) text += c.choices[0]?.delta.content ?? ''; })());
      assert.ok(text.length > 0, 'the chunks before the failure arrived');
      assert.match(err.message, /upstream sim/);
    }
  });

  test('the server is still healthy after all of that', async () => {
    const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'still here?' }] });
    assert.equal(r.choices[0].message.content, 'You said: still here?');
  });
});
