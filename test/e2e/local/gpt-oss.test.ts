/**
 * Issue 8 end to end: the `openai` client → the real gateway → an embedded tiny gpt-oss model (real
 * llama.cpp inference on a generated GGUF with a planted output) → Switchyard's harmony parser → a
 * known final answer, reasoning hidden or exposed by policy, several requests at once, and a dead
 * cloud deployment falling back to it. One model load for the whole file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HARMONY_ANSWER, HARMONY_PIECES, HARMONY_REASONING } from '../../helpers/local-models.js';
import { EXPOSED, HARMONY_CONTROL, collect, reasoningOf } from '../../helpers/chat-stream.js';
import { startLocalStack, type LocalStack } from './local-stack.js';

describe('embedded tiny gpt-oss through the gateway', () => {
  let s: LocalStack;
  before(async () => {
    s = await startLocalStack('gpt-oss-tiny', { arch: 'gpt-oss', script: { after: 't', pieces: HARMONY_PIECES } }, {
      sequences: 2,
      // A cloud deployment that is down (nothing listens on port 1): requests fall back to the local model.
      extra: {
        providers: [{ id: 'cloud', type: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1' }],
        models: [{ name: 'gpt-oss-120b', deployments: [{ provider: 'cloud', model: 'openai/gpt-oss-120b' }], fallbacks: ['gpt-oss-tiny'] }],
      },
    });
  });
  after(async () => { await s?.stop(); });

  const ask = [{ role: 'user' as const, content: 'What is the answer?' }];

  test('non-streaming: exactly the planted final answer, reasoning hidden, local routing headers', async () => {
    const { data, response } = await s.client.chat.completions.create({ model: 'gpt-oss-tiny', messages: ask }).withResponse();
    const m = data.choices[0].message;
    assert.equal(m.content, HARMONY_ANSWER);
    assert.equal(reasoningOf(m), undefined);
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.equal(data.model, 'gpt-oss-tiny');
    assert.ok(!JSON.stringify(data).includes('Think'), 'analysis leaked');
    assert.ok(data.usage && data.usage.prompt_tokens > 0 && data.usage.completion_tokens >= HARMONY_PIECES.length);
    assert.equal(response.headers.get('x-switchyard-provider'), 'local');
    assert.equal(Number(response.headers.get('x-switchyard-cost-usd')), 0);
  });

  test('streaming: the same answer in deltas, no reasoning or control token in any chunk', async () => {
    const r = await collect(await s.client.chat.completions.create({ model: 'gpt-oss-tiny', messages: ask, stream: true, stream_options: { include_usage: true } }));
    assert.equal(r.content, HARMONY_ANSWER);
    assert.equal(r.reasoning, '');
    assert.equal(r.finish, 'stop');
    assert.ok(!r.raw.includes('Think') && !HARMONY_CONTROL.test(r.raw), r.raw);
    assert.match(r.raw, /"usage":\{"prompt_tokens":\d+/);
  });

  test('x-switchyard-reasoning: exposed shows the analysis channel, streaming and not', async () => {
    const r = await s.client.chat.completions.create({ model: 'gpt-oss-tiny', messages: ask }, EXPOSED);
    assert.equal(reasoningOf(r.choices[0].message), HARMONY_REASONING);
    assert.equal(r.choices[0].message.content, HARMONY_ANSWER);
    const x = await collect(await s.client.chat.completions.create({ model: 'gpt-oss-tiny', messages: ask, stream: true }, EXPOSED));
    assert.equal(x.reasoning, HARMONY_REASONING);
    assert.equal(x.content, HARMONY_ANSWER);
  });

  test('more concurrent requests than sequences: every one gets the full answer', async () => {
    const jobs = Array.from({ length: 6 }, (_, i) => (i % 2
      ? s.client.chat.completions.create({ model: 'gpt-oss-tiny', messages: ask }).then((r) => r.choices[0].message.content)
      : s.client.chat.completions.create({ model: 'gpt-oss-tiny', messages: ask, stream: true }).then(collect).then((r) => r.content)));
    assert.deepEqual(await Promise.all(jobs), Array(6).fill(HARMONY_ANSWER));
  });

  test('the model is listed by GET /v1/models under its configured name', async () => {
    const ids: string[] = [];
    for await (const m of s.client.models.list()) ids.push(m.id);
    assert.deepEqual(ids.sort(), ['gpt-oss-120b', 'gpt-oss-tiny']);
  });

  test('a cloud model that is down falls back to the local model, and the route says so', async () => {
    const { data, response } = await s.client.chat.completions.create({ model: 'gpt-oss-120b', messages: ask }).withResponse();
    assert.equal(data.choices[0].message.content, HARMONY_ANSWER);
    assert.equal(reasoningOf(data.choices[0].message), undefined);
    assert.equal(response.headers.get('x-switchyard-provider'), 'local');
    assert.equal(response.headers.get('x-switchyard-model'), 'gpt-oss-tiny');
    assert.match(response.headers.get('x-switchyard-route') ?? '', /failover after cloud\/openai\/gpt-oss-120b/);
  });
});
