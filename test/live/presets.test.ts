/**
 * Opt-in: each cloud preset against the real service, through the gateway, with the official
 * client. A preset runs only when its key variable is set (each skipped test says which);
 * local engines run when SWITCHYARD_LIVE_<ENGINE>_URL points at one (e.g. SWITCHYARD_LIVE_OLLAMA_URL).
 * Costs a few cents at most: short prompts, small max_tokens.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { startStack, type Stack } from '../e2e/presets/harness.js';
import { PRESETS, type PresetType } from '../../src/providers/presets/presets.js';

/** The model each preset is tried with: a cheap catalog model it serves. */
const LIVE: Array<{ preset: PresetType; model: string; tools: boolean }> = [
  { preset: 'openrouter', model: 'gpt-oss-20b', tools: true },
  { preset: 'together', model: 'gpt-oss-20b', tools: true },
  { preset: 'groq', model: 'gpt-oss-20b', tools: true },
  { preset: 'fireworks', model: 'gpt-oss-20b', tools: true },
  { preset: 'deepinfra', model: 'gpt-oss-20b', tools: true },
  { preset: 'cerebras', model: 'gpt-oss-120b', tools: true },
  { preset: 'moonshot', model: 'kimi-k2', tools: true },
  { preset: 'zai', model: 'glm-4.5-air', tools: true },
  { preset: 'dashscope', model: 'qwen2.5-7b-instruct', tools: true },
  { preset: 'ollama', model: 'qwen2.5-0.5b-instruct', tools: false },
  { preset: 'vllm', model: 'qwen2.5-0.5b-instruct', tools: false },
  { preset: 'llamacpp', model: 'qwen2.5-0.5b-instruct', tools: false },
  { preset: 'lmstudio', model: 'qwen2.5-0.5b-instruct', tools: false },
];

const localUrlVar = (p: PresetType) => `SWITCHYARD_LIVE_${p.toUpperCase()}_URL`;
function skipReason(p: PresetType): string | false {
  const preset = PRESETS[p];
  if (preset.locality === 'local') return process.env[localUrlVar(p)] ? false : `${localUrlVar(p)} not set`;
  return preset.keyEnv && process.env[preset.keyEnv] ? false : `${preset.keyEnv} not set`;
}
const enabled = LIVE.filter((l) => !skipReason(l.preset));

let stack: Stack | undefined;
let client: OpenAI;

before(async () => {
  if (!enabled.length) return;
  stack = await startStack(() => ({
    providers: enabled.map((l) => {
      const url = process.env[localUrlVar(l.preset)];
      return url ? { id: l.preset, type: l.preset, base_url: url } : { id: l.preset, type: l.preset };
    }),
  }));
  client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'unused', maxRetries: 1, timeout: 60_000 });
});
after(async () => { await stack?.stop(); });

for (const l of LIVE) {
  describe(`live ${l.preset} (${l.model})`, { skip: skipReason(l.preset) }, () => {
    const only = { provider: { only: [l.preset], allow_fallbacks: false } };
    test('complete: an answer, usage with cost, served by this preset', async () => {
      const params = { model: l.model, messages: [{ role: 'user', content: 'Reply with the single word: pong' }], max_tokens: 256, reasoning_effort: 'low', ...only } as ChatCompletionCreateParamsNonStreaming;
      const { data, response } = await client.chat.completions.create(params, { headers: { 'x-switchyard-reasoning': 'exposed' } }).withResponse();
      assert.equal(response.headers.get('x-switchyard-provider'), l.preset);
      const m = data.choices[0].message as unknown as Record<string, unknown>;
      assert.ok(typeof m.content === 'string' || typeof m.reasoning === 'string');
      assert.equal('reasoning_content' in m, false);
      assert.ok(data.usage!.prompt_tokens > 0);
      assert.equal(typeof (data.usage as unknown as { cost: unknown }).cost, 'number');
    });

    test('stream: deltas and a usage chunk', async () => {
      const params = { model: l.model, messages: [{ role: 'user', content: 'Count from 1 to 5.' }], max_tokens: 256, stream: true, stream_options: { include_usage: true }, ...only } as ChatCompletionCreateParamsStreaming;
      const s = await client.chat.completions.create(params as ChatCompletionCreateParamsStreaming, { headers: { 'x-switchyard-reasoning': 'exposed' } });
      let text = '';
      let usage = false;
      for await (const c of s) {
        const d = c.choices[0]?.delta as Record<string, unknown> | undefined;
        text += String(d?.content ?? '') + String(d?.reasoning ?? '');
        if (c.usage) usage = true;
      }
      assert.ok(usage, 'a usage chunk');
      assert.ok(text.length > 0, 'content or reasoning deltas');
    });

    test('tools: a call with an id and JSON arguments', { skip: l.tools ? false : 'small local model' }, async () => {
      const params = {
        model: l.model, max_tokens: 512, ...only,
        messages: [{ role: 'user', content: 'What is the weather in Paris? Use the tool.' }],
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
        tool_choice: 'required',
      } as ChatCompletionCreateParamsNonStreaming;
      const r = await client.chat.completions.create(params);
      const call = r.choices[0].message.tool_calls?.[0] as { id: string; function: { name: string; arguments: string } } | undefined;
      assert.ok(call, 'a tool call');
      assert.ok(call.id);
      assert.equal(call.function.name, 'get_weather');
      assert.equal(typeof JSON.parse(call.function.arguments).city, 'string');
    });
  });
}
