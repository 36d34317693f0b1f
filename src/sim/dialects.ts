/**
 * The simulator's answer shapes, one per provider preset, from each provider's documented
 * responses: where reasoning goes (`reasoning` for OpenRouter, Groq, Together, Cerebras;
 * `reasoning_content` DeepSeek-style for Moonshot, Z.ai, DashScope, vLLM, llama.cpp, Fireworks,
 * DeepInfra, LM Studio; Ollama's native `message.thinking`), how usage is spelled (cached tokens
 * nested or top-level, reasoning tokens or none, Groq's `x_groq.usage` on the last stream chunk),
 * and Ollama's NDJSON `/api/chat` with tool-call arguments as objects and no ids.
 */
import type { ServerResponse } from 'node:http';
import { PRESETS, type PresetType } from '../providers/presets/presets.js';
import type { Dialect } from '../providers/presets/dialect.js';
import { splitPieces, type SimBehavior } from './behavior.js';

export const SIM_DIALECTS = ['openai', ...Object.keys(PRESETS).filter((t) => t !== 'openai-compatible')] as const;
export type SimDialect = string;

export const isSimDialect = (s: string): boolean => (SIM_DIALECTS as readonly string[]).includes(s);

export function dialectOf(name: string): Dialect {
  return name === 'openai' ? PRESETS['openai-compatible'].dialect : PRESETS[name as PresetType].dialect;
}

export interface SimCounts { prompt: number; completion: number; reasoning: number; cached: number }

/** `usage` as the dialect's provider documents it. */
export function usageFor(dialectName: string, c: SimCounts): Record<string, unknown> {
  const d = dialectOf(dialectName);
  const u: Record<string, unknown> = { prompt_tokens: c.prompt, completion_tokens: c.completion, total_tokens: c.prompt + c.completion };
  if (d.cachedTokens === 'prompt_tokens_details.cached_tokens') u.prompt_tokens_details = { cached_tokens: c.cached };
  else if (d.cachedTokens === 'cached_tokens') u.cached_tokens = c.cached;
  if (d.reportsReasoningTokens) u.completion_tokens_details = { reasoning_tokens: c.reasoning };
  if (dialectName === 'groq') Object.assign(u, { queue_time: 0.01, prompt_time: 0.002, completion_time: 0.02, total_time: 0.032 });
  return u;
}

export interface OllamaAnswer {
  res: ServerResponse;
  body: Record<string, unknown>;
  behavior: SimBehavior;
  text: string;
  counts: SimCounts;
  model: string;
  sleep: (ms: number) => Promise<void>;
}

/** `POST /api/chat`: one JSON object, or NDJSON lines ending with `done: true` and the counts. */
export async function answerOllama(a: OllamaAnswer): Promise<void> {
  const { res, behavior: b } = a;
  const tools = (b.toolCalls ?? []).map((t) => ({ function: { name: t.name, arguments: safeObject(t.arguments) } }));
  const created_at = new Date().toISOString();
  const final: Record<string, unknown> = { done: true, done_reason: 'stop', total_duration: 1_000_000, load_duration: 1000 };
  if (b.usage) Object.assign(final, { prompt_eval_count: a.counts.prompt, prompt_eval_duration: 1000, eval_count: a.counts.completion, eval_duration: 1000 });
  if (a.body.stream === false) {
    const message: Record<string, unknown> = { role: 'assistant', content: tools.length ? '' : a.text };
    if (b.reasoning) message.thinking = b.reasoning;
    if (tools.length) message.tool_calls = tools;
    const s = JSON.stringify({ model: a.model, created_at, message, ...final });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(s) });
    res.end(s);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const line = (message: Record<string, unknown>, extra: Record<string, unknown> = { done: false }) =>
    res.write(`${JSON.stringify({ model: a.model, created_at, message: { role: 'assistant', content: '', ...message }, ...extra })}\n`);
  for (const r of b.reasoning ? splitPieces(b.reasoning, Math.max(1, Math.ceil(b.chunks / 2))) : []) {
    if (res.destroyed) return;
    line({ thinking: r });
    await a.sleep(b.chunkIntervalMs);
  }
  if (tools.length) line({ tool_calls: tools });
  else {
    for (const p of splitPieces(a.text, b.chunks)) {
      if (res.destroyed) return;
      line({ content: p });
      await a.sleep(b.chunkIntervalMs);
    }
  }
  line({}, final);
  res.end();
}

function safeObject(s: string): unknown {
  try { return JSON.parse(s); } catch { return {}; }
}

/** `GET /api/tags`: Ollama's installed-model list. */
export function ollamaTags(models: string[]): string {
  return JSON.stringify({
    models: models.map((m) => ({ name: m, model: m, modified_at: '2026-01-01T00:00:00Z', size: 0, digest: 'sim', details: { format: 'gguf' } })),
  });
}
