/**
 * A provider's dialect: how it spells the things OpenAI's chat API leaves open. One table
 * (presets.ts) says what each preset speaks; openai-compatible.ts and ollama.ts read it on the way
 * in, and the simulator (src/sim/dialects.ts) answers in the same shapes for the tests.
 */
import type { ChatRequest } from '../../core/types.js';

/** Field of a message / delta that carries reasoning in the provider's answers. */
export type ReasoningField = 'reasoning' | 'reasoning_content' | 'thinking';

/**
 * How reasoning effort is asked for.
 * - `reasoning_effort`: OpenAI's top-level string (Groq, Together, Fireworks, DeepInfra, Cerebras, vLLM, LM Studio)
 * - `openrouter`: `reasoning: {effort}`
 * - `ollama`: `think: "low"|"medium"|"high"` for gpt-oss, `think: true|false` for other thinking models
 * - `chat_template_kwargs`: llama.cpp server, `chat_template_kwargs: {reasoning_effort}` read by gpt-oss's template
 * - `zai`: `thinking: {type: "enabled"|"disabled"}` (GLM has no levels, only on/off)
 * - `dashscope`: `enable_thinking: boolean` (Qwen3-style switch; Qwen2.5 does not think)
 * - `drop`: the provider has no control; the field is removed so it cannot cause a 400
 */
export type EffortStyle = 'reasoning_effort' | 'openrouter' | 'ollama' | 'chat_template_kwargs' | 'zai' | 'dashscope' | 'drop';

/** Where the provider reports cached prompt tokens in `usage` (documented; reading accepts all). */
export type CachedTokensField = 'prompt_tokens_details.cached_tokens' | 'cached_tokens' | 'prompt_eval_count' | 'none';

export interface Dialect {
  reasoningField: ReasoningField;
  effort: EffortStyle;
  /**
   * Field name under which an earlier assistant turn's reasoning goes back upstream, or null when the
   * provider rejects (or ignores) it and it is stripped. Kimi K2 and GLM need it across tool calls.
   */
  reasoningInput: ReasoningField | null;
  cachedTokens: CachedTokensField;
  /** Groq streams usage in `x_groq.usage` on the last chunk. */
  streamUsageIn: 'usage' | 'x_groq.usage';
  /** Whether the provider reports reasoning tokens (`completion_tokens_details.reasoning_tokens`). */
  reportsReasoningTokens: boolean;
}

export type Effort = NonNullable<ChatRequest['reasoningEffort']>;

/** gpt-oss knows low / medium / high; `minimal` (OpenAI's extra level) is the nearest, low. */
export const gptOssEffort = (e: Effort): 'low' | 'medium' | 'high' => (e === 'minimal' ? 'low' : e);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Rewrites `reasoning_effort` in an OpenAI-shaped upstream body into the dialect's spelling.
 * Fields the client set in the dialect's own spelling (e.g. `reasoning` for OpenRouter) win.
 */
export function applyEffort(body: Record<string, unknown>, style: EffortStyle, effort: Effort | undefined): void {
  if (style === 'reasoning_effort') return; // already spelled right (or absent)
  delete body.reasoning_effort;
  if (!effort) return;
  switch (style) {
    case 'openrouter':
      body.reasoning = { ...(isObj(body.reasoning) ? body.reasoning : {}), effort: effort === 'minimal' ? 'low' : effort };
      break;
    case 'chat_template_kwargs':
      body.chat_template_kwargs = { ...(isObj(body.chat_template_kwargs) ? body.chat_template_kwargs : {}), reasoning_effort: gptOssEffort(effort) };
      break;
    case 'zai':
      if (body.thinking === undefined) body.thinking = { type: effort === 'minimal' ? 'disabled' : 'enabled' };
      break;
    case 'dashscope':
      if (body.enable_thinking === undefined) body.enable_thinking = effort !== 'minimal';
      break;
    case 'ollama': // ollama.ts builds its own body; nothing to do on an OpenAI-shaped one
    case 'drop':
      break;
  }
}

/**
 * Earlier assistant reasoning (folded into `reasoning` by validate-chat.ts) renamed to the field the
 * provider reads, or removed. Returns new message objects only where something changed, so the
 * client's body is never mutated (a failover to another dialect must see the original).
 */
export function mapReasoningInput(messages: unknown, field: ReasoningField | null): unknown {
  if (!Array.isArray(messages)) return messages;
  let changed = false;
  const out = messages.map((m: unknown) => {
    if (!isObj(m) || (m.reasoning === undefined && m.reasoning_content === undefined)) return m;
    const r = m.reasoning ?? m.reasoning_content;
    const copy: Record<string, unknown> = { ...m };
    delete copy.reasoning;
    delete copy.reasoning_content;
    if (field && typeof r === 'string' && r.length && m.role === 'assistant') copy[field] = r;
    changed = true;
    return copy;
  });
  return changed ? out : messages;
}
