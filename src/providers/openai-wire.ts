/**
 * Mapping between OpenAI's chat-completions wire format and the gateway's types. Shared by every
 * OpenAI-compatible upstream (written once, not per provider) and by the simulator's tests.
 */
import type { ChatResult, ChoiceResult, FinishReason, StreamPart, ToolCall, UnifiedFinish, Usage } from '../core/types.js';

const FINISH: Record<string, UnifiedFinish> = {
  stop: 'stop', eos: 'stop', end_turn: 'stop', stop_sequence: 'stop',
  length: 'length', max_tokens: 'length', model_length: 'length',
  tool_calls: 'tool_calls', function_call: 'tool_calls', tool_use: 'tool_calls',
  content_filter: 'content_filter', safety: 'content_filter',
  error: 'error',
};

export function finishReason(raw: unknown): FinishReason {
  const r = typeof raw === 'string' ? raw : null;
  return { unified: (r && FINISH[r]) || 'other', raw: r };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** OpenAI-style usage (plus the common vendor spellings of reasoning/cached tokens). */
export function readUsage(u: unknown): Usage | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const o = u as Record<string, unknown>;
  const input = num(o.prompt_tokens) ?? num(o.input_tokens);
  const output = num(o.completion_tokens) ?? num(o.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const cd = o.completion_tokens_details as Record<string, unknown> | undefined;
  const pd = o.prompt_tokens_details as Record<string, unknown> | undefined;
  const usage: Usage = { inputTokens: input ?? 0, outputTokens: output ?? 0 };
  const reasoning = num(cd?.reasoning_tokens) ?? num(o.reasoning_tokens);
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  // Moonshot and DeepSeek report cache hits at the top level.
  const cached = num(pd?.cached_tokens) ?? num(o.cached_tokens) ?? num(o.prompt_cache_hit_tokens);
  if (cached !== undefined) usage.cachedInputTokens = cached;
  return usage;
}

/** Providers disagree on the field name; both arrive here as reasoning. */
function reasoningOf(o: Record<string, unknown>): string | undefined {
  const r = o.reasoning ?? o.reasoning_content;
  return typeof r === 'string' && r.length ? r : undefined;
}

function toolCallsOf(v: unknown, newId: () => string): ToolCall[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  return v.map((tc: Record<string, unknown>) => {
    const fn = (tc.function ?? {}) as Record<string, unknown>;
    const args = fn.arguments;
    return {
      id: typeof tc.id === 'string' && tc.id ? tc.id : newId(),
      type: 'function' as const,
      function: {
        name: typeof fn.name === 'string' ? fn.name : '',
        arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
      },
    };
  });
}

export function readCompletion(json: unknown, newId: () => string): ChatResult {
  const o = (json ?? {}) as Record<string, unknown>;
  const choices: ChoiceResult[] = Array.isArray(o.choices)
    ? o.choices.map((c: Record<string, unknown>, i: number) => {
      const m = (c.message ?? {}) as Record<string, unknown>;
      const choice: ChoiceResult = {
        index: typeof c.index === 'number' ? c.index : i,
        content: typeof m.content === 'string' ? m.content : null,
        finish: finishReason(c.finish_reason),
      };
      const reasoning = reasoningOf(m);
      if (reasoning !== undefined) choice.reasoning = reasoning;
      const tcs = toolCallsOf(m.tool_calls, newId);
      if (tcs) choice.toolCalls = tcs;
      if (typeof m.refusal === 'string') choice.refusal = m.refusal;
      return choice;
    })
    : [];
  return {
    id: typeof o.id === 'string' ? o.id : undefined,
    model: typeof o.model === 'string' ? o.model : undefined,
    created: num(o.created),
    choices,
    usage: readUsage(o.usage),
  };
}

/**
 * Stream state: whether the start part was sent, and the tool-call index map. Some upstreams
 * send every parallel call at index 0 (or no index), telling calls apart only by a new id; a
 * delta whose id differs from the one already seen at its index starts a new call, so clients
 * always get one index per call.
 */
export interface ChunkState {
  started: boolean;
  toolIndex?: Map<number, number>;
  toolIds?: Map<number, string>;
  nextTool?: number;
}

function toolIndexOf(state: ChunkState, upstreamIndex: number, id: string | undefined): number {
  state.toolIndex ??= new Map();
  state.toolIds ??= new Map();
  state.nextTool ??= 0;
  const known = state.toolIndex.get(upstreamIndex);
  if (known !== undefined && (id === undefined || state.toolIds.get(upstreamIndex) === id)) return known;
  const index = state.nextTool++;
  state.toolIndex.set(upstreamIndex, index);
  if (id !== undefined) state.toolIds.set(upstreamIndex, id);
  return index;
}

/** The start part a stream's first chunk stands for: its id, model and creation time. */
export function startPart(o: Record<string, unknown>): StreamPart {
  return { type: 'start', id: typeof o.id === 'string' ? o.id : undefined, model: typeof o.model === 'string' ? o.model : undefined, created: num(o.created) };
}

/**
 * Turns one parsed stream chunk into parts, appended to `out`. Only choice 0 is streamed
 * (n > 1 with stream is rejected up front).
 */
export function readChunk(json: unknown, state: ChunkState, out: StreamPart[]): void {
  const o = (json ?? {}) as Record<string, unknown>;
  if (!state.started) {
    state.started = true;
    out.push(startPart(o));
  }
  const choices = o.choices;
  if (Array.isArray(choices) && choices.length) {
    const c = choices[0] as Record<string, unknown>;
    const d = c.delta as Record<string, unknown> | undefined;
    if (d) {
      const r = reasoningOf(d);
      if (r !== undefined) out.push({ type: 'reasoning', text: r });
      if (typeof d.content === 'string' && d.content.length) out.push({ type: 'text', text: d.content });
      const tcs = d.tool_calls;
      if (Array.isArray(tcs)) {
        for (let i = 0; i < tcs.length; i++) {
          const tc = tcs[i] as Record<string, unknown>;
          const fn = (tc.function ?? {}) as Record<string, unknown>;
          const args = fn.arguments;
          const id = typeof tc.id === 'string' && tc.id ? tc.id : undefined;
          out.push({
            type: 'tool-call',
            index: toolIndexOf(state, typeof tc.index === 'number' ? tc.index : i, id),
            id,
            name: typeof fn.name === 'string' && fn.name ? fn.name : undefined,
            argumentsDelta: typeof args === 'string' ? args : args === undefined || args === null ? '' : JSON.stringify(args),
          });
        }
      }
    }
    if (c.finish_reason !== null && c.finish_reason !== undefined) out.push({ type: 'finish', reason: finishReason(c.finish_reason) });
  }
  // Groq puts streamed usage in `x_groq.usage` on the last chunk instead of a usage chunk.
  const xg = o.x_groq as Record<string, unknown> | undefined;
  const usage = readUsage(o.usage ?? xg?.usage);
  if (usage) out.push({ type: 'usage', usage });
}
