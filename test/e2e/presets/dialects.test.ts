/**
 * Every preset through the simulator in its own dialect, with the official `openai` client:
 * reasoning arrives only as `reasoning` (and only when exposed), tool calls have ids and
 * JSON-string arguments with correctly indexed stream deltas, usage always has the reasoning and
 * cached tokens the provider reported plus `cost`, and `reasoning_effort` / earlier reasoning reach
 * each upstream in the spelling it documents (checked in the simulator's last request body).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { simStats, startStack, type Stack } from './harness.js';

type Body = Record<string, unknown>;
interface Expect {
  /** Asserts how `reasoning_effort: 'high'` reached the upstream. */
  effort: (b: Body) => void;
  /** Field that carries earlier reasoning back upstream, or null when it must be stripped. */
  passback: string | null;
  cached: boolean;
  /** Whether the upstream reports reasoning tokens; when it does not, the gateway estimates them. */
  reasoningTokens: boolean;
}

const plainEffort = (b: Body) => assert.equal(b.reasoning_effort, 'high');
const EXPECT: Record<string, Expect> = {
  openrouter: { effort: (b) => { assert.deepEqual(b.reasoning, { effort: 'high' }); assert.equal('reasoning_effort' in b, false); }, passback: 'reasoning', cached: true, reasoningTokens: true },
  together: { effort: plainEffort, passback: null, cached: true, reasoningTokens: true },
  groq: { effort: plainEffort, passback: null, cached: true, reasoningTokens: true },
  fireworks: { effort: plainEffort, passback: null, cached: true, reasoningTokens: true },
  deepinfra: { effort: plainEffort, passback: null, cached: true, reasoningTokens: true },
  cerebras: { effort: plainEffort, passback: null, cached: true, reasoningTokens: true },
  moonshot: { effort: (b) => { assert.equal('reasoning_effort' in b, false); }, passback: 'reasoning_content', cached: true, reasoningTokens: false },
  zai: { effort: (b) => { assert.deepEqual(b.thinking, { type: 'enabled' }); assert.equal('reasoning_effort' in b, false); }, passback: 'reasoning_content', cached: true, reasoningTokens: true },
  dashscope: { effort: (b) => { assert.equal(b.enable_thinking, true); assert.equal('reasoning_effort' in b, false); }, passback: null, cached: true, reasoningTokens: true },
  vllm: { effort: plainEffort, passback: 'reasoning_content', cached: true, reasoningTokens: false },
  llamacpp: { effort: (b) => { assert.deepEqual(b.chat_template_kwargs, { reasoning_effort: 'high' }); assert.equal('reasoning_effort' in b, false); }, passback: 'reasoning_content', cached: true, reasoningTokens: false },
  lmstudio: { effort: plainEffort, passback: null, cached: true, reasoningTokens: false },
  ollama: { effort: (b) => { assert.equal(b.think, 'high'); assert.equal('reasoning_effort' in b, false); }, passback: 'thinking', cached: false, reasoningTokens: false },
};
const PRESETS = Object.keys(EXPECT);
const TOOLS = [{ name: 'get_weather', arguments: { city: 'Paris' } }, { name: 'get_time', arguments: { tz: 'Europe/Paris' } }];

let stack: Stack;
let client: OpenAI;
const exposed = { headers: { 'x-switchyard-reasoning': 'exposed' } };

before(async () => {
  stack = await startStack((sim) => ({
    providers: PRESETS.map((p) => ({ id: p, type: p, base_url: p === 'ollama' ? `${sim}/ollama` : `${sim}/${p}/v1`, api_key: 'test-key' })),
    models: PRESETS.flatMap((p) => {
      const upstream = p === 'ollama' ? 'gpt-oss:20b' : 'openai/gpt-oss-20b';
      const price = { input: 1, output: 2 };
      return [
        { name: `m-${p}`, deployments: [{ provider: p, model: upstream, price, extra_body: { sim: { reasoning: 'Let me think.', cached_tokens: 3 } } }] },
        { name: `m-${p}-tools`, deployments: [{ provider: p, model: upstream, price, extra_body: { sim: { tool_calls: TOOLS } } }] },
      ];
    }),
    catalog: { enabled: false },
  }), ['--models', 'gpt-oss:20b']);
  client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
after(async () => { await stack?.stop(); });

for (const p of PRESETS) {
  const ex = EXPECT[p];
  describe(`preset ${p}`, () => {
    test('non-streaming: reasoning only as `reasoning`, usage normalized with cost', async () => {
      const r = await client.chat.completions.create({ model: `m-${p}`, messages: [{ role: 'user', content: 'hi' }] }, exposed);
      const m = r.choices[0].message as unknown as Record<string, unknown>;
      assert.equal(m.content, 'You said: hi');
      assert.equal(m.reasoning, 'Let me think.');
      assert.equal('reasoning_content' in m, false);
      assert.equal('thinking' in m, false);
      const u = r.usage as unknown as Record<string, unknown>;
      assert.ok(r.usage!.prompt_tokens > 0 && r.usage!.completion_tokens > 0);
      assert.equal(typeof u.cost, 'number');
      assert.ok((u.cost as number) > 0);
      assert.equal(r.usage!.prompt_tokens_details?.cached_tokens, ex.cached ? 3 : undefined);
      // Reasoning streamed, so reasoning tokens are there either way: the upstream's, or the gateway's estimate.
      const reasoningTokens = r.usage!.completion_tokens_details!.reasoning_tokens!;
      assert.ok(reasoningTokens > 0 && reasoningTokens <= r.usage!.completion_tokens);
      assert.equal(u.reasoning_estimated, ex.reasoningTokens ? undefined : true);
      assert.equal(u.estimated, undefined, 'prompt and completion counts came from the upstream, not an estimate');
    });

    test('reasoning is hidden unless the request asks to see it', async () => {
      const r = await client.chat.completions.create({ model: `m-${p}`, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal('reasoning' in r.choices[0].message, false);
    });

    test('streaming: reasoning deltas as `reasoning`, usage chunk last', async () => {
      const s = await client.chat.completions.create({ model: `m-${p}`, messages: [{ role: 'user', content: 'hello' }], stream: true, stream_options: { include_usage: true } }, exposed);
      let reasoning = '';
      let content = '';
      let usage: Record<string, unknown> | undefined;
      for await (const c of s) {
        const d = c.choices[0]?.delta as Record<string, unknown> | undefined;
        if (d) {
          assert.equal('reasoning_content' in d, false);
          if (typeof d.reasoning === 'string') reasoning += d.reasoning;
          if (typeof d.content === 'string') content += d.content;
        }
        if (c.usage) usage = c.usage as unknown as Record<string, unknown>;
      }
      assert.equal(reasoning, 'Let me think.');
      assert.equal(content, 'You said: hello');
      assert.ok(usage, 'a usage chunk arrived');
      assert.equal(typeof usage.cost, 'number');
      assert.equal((usage.prompt_tokens_details as { cached_tokens?: number } | undefined)?.cached_tokens, ex.cached ? 3 : undefined);
      assert.ok((usage.completion_tokens_details as { reasoning_tokens: number }).reasoning_tokens > 0);
      assert.equal(usage.reasoning_estimated, ex.reasoningTokens ? undefined : true);
      assert.equal(usage.estimated, undefined);
    });

    test('tool calls: ids and JSON-string arguments', async () => {
      const r = await client.chat.completions.create({ model: `m-${p}-tools`, messages: [{ role: 'user', content: 'weather?' }] });
      const calls = r.choices[0].message.tool_calls!;
      assert.equal(r.choices[0].finish_reason, 'tool_calls');
      assert.equal(calls.length, 2);
      const fns = calls.map((c) => { assert.equal(c.type, 'function'); return c as { id: string; function: { name: string; arguments: string } }; });
      assert.ok(fns.every((c) => typeof c.id === 'string' && c.id.length > 0));
      assert.notEqual(fns[0].id, fns[1].id);
      assert.deepEqual(fns.map((c) => [c.function.name, JSON.parse(c.function.arguments)]), TOOLS.map((t) => [t.name, t.arguments]));
    });

    test('tool calls streamed: one id per index, arguments reassemble', async () => {
      const s = await client.chat.completions.create({ model: `m-${p}-tools`, messages: [{ role: 'user', content: 'weather?' }], stream: true });
      const calls = new Map<number, { id?: string; name: string; args: string }>();
      let finish: string | null = null;
      for await (const c of s) {
        const ch = c.choices[0];
        if (!ch) continue;
        if (ch.finish_reason) finish = ch.finish_reason;
        for (const tc of ch.delta.tool_calls ?? []) {
          const cur = calls.get(tc.index);
          if (!cur) {
            assert.ok(tc.id, `the first delta of call ${tc.index} carries its id`);
            calls.set(tc.index, { id: tc.id, name: tc.function?.name ?? '', args: tc.function?.arguments ?? '' });
          } else {
            assert.ok(tc.id === undefined || tc.id === cur.id, 'a call keeps its id');
            cur.args += tc.function?.arguments ?? '';
          }
        }
      }
      assert.equal(finish, 'tool_calls');
      assert.deepEqual([...calls.keys()], [0, 1]);
      assert.deepEqual([...calls.values()].map((c) => [c.name, JSON.parse(c.args)]), TOOLS.map((t) => [t.name, t.arguments]));
    });

    test('reasoning_effort is spelled the way the provider asks for it', async () => {
      const params = { model: `m-${p}`, messages: [{ role: 'user', content: 'hi' }], reasoning_effort: 'high' } as ChatCompletionCreateParamsNonStreaming;
      await client.chat.completions.create(params);
      ex.effort((await simStats(stack.sim.url)).lastBody);
    });

    test(`earlier reasoning goes back ${ex.passback ? `as '${ex.passback}'` : 'nowhere (stripped)'}`, async () => {
      const messages = [
        { role: 'user', content: 'weather in Paris?' },
        { role: 'assistant', content: null, reasoning_content: 'I should call the tool.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
      ] as unknown as ChatCompletionMessageParam[];
      await client.chat.completions.create({ model: `m-${p}`, messages });
      const sent = (await simStats(stack.sim.url)).lastBody.messages as Array<Record<string, unknown>>;
      const a = sent[1];
      for (const f of ['reasoning', 'reasoning_content', 'thinking']) {
        assert.equal(a[f], f === ex.passback ? 'I should call the tool.' : undefined, `field ${f}`);
      }
      const tc = (a.tool_calls as Array<{ function: { arguments: unknown } }>)[0];
      if (p === 'ollama') {
        assert.deepEqual(tc.function.arguments, { city: 'Paris' }, 'Ollama takes arguments as an object');
        assert.equal(sent[2].tool_name, 'get_weather');
      } else {
        assert.equal(tc.function.arguments, '{"city":"Paris"}');
      }
    });
  });
}
