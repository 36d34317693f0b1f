/**
 * OpenAI chat request ⇄ Ollama's native `/api/chat` (https://github.com/ollama/ollama/blob/main/docs/api.md).
 * The native API is used instead of Ollama's `/v1` layer because only it takes `think` levels and
 * returns `message.thinking`. Ollama's quirks handled here: tool-call arguments are JSON objects
 * (not strings) and carry no ids, images are bare base64 beside the text, sampling settings live
 * in `options`, and token counts are `prompt_eval_count` / `eval_count`.
 */
import { GatewayError } from '../core/errors.js';
import type { ChatRequest, ChatResult, FinishReason, StreamPart, ToolCall, Usage } from '../core/types.js';
import { gptOssEffort } from './presets/dialect.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function parseArgs(s: string): unknown {
  try { return JSON.parse(s); } catch { return {}; }
}

/** `data:image/png;base64,AAAA` → `AAAA`. Ollama only takes inline images. */
function imageBase64(url: string): string {
  const m = /^data:[^;,]*;base64,(.*)$/s.exec(url);
  if (!m) throw new GatewayError('unsupported_content', 'Ollama accepts images only as base64 data URLs (data:image/...;base64,...)', { param: 'messages' });
  return m[1];
}

function message(m: Record<string, unknown>, toolNames: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role === 'developer' ? 'system' : m.role };
  const c = m.content;
  if (typeof c === 'string') out.content = c;
  else if (Array.isArray(c)) {
    let text = '';
    const images: string[] = [];
    for (const p of c) {
      if (!isObj(p)) continue;
      if (p.type === 'text' && typeof p.text === 'string') text += (text ? '\n' : '') + p.text;
      else if (p.type === 'image_url') {
        const iu = p.image_url;
        images.push(imageBase64(typeof iu === 'string' ? iu : isObj(iu) && typeof iu.url === 'string' ? iu.url : ''));
      }
    }
    out.content = text;
    if (images.length) out.images = images;
  } else out.content = '';
  if (m.role === 'assistant') {
    const r = m.reasoning ?? m.reasoning_content;
    if (typeof r === 'string' && r) out.thinking = r;
    if (Array.isArray(m.tool_calls) && m.tool_calls.length) {
      out.tool_calls = m.tool_calls.filter(isObj).map((tc) => {
        const fn = isObj(tc.function) ? tc.function : {};
        const name = typeof fn.name === 'string' ? fn.name : '';
        if (typeof tc.id === 'string') toolNames.set(tc.id, name);
        return { function: { name, arguments: typeof fn.arguments === 'string' ? parseArgs(fn.arguments) : fn.arguments ?? {} } };
      });
    }
  }
  // Ollama matches tool results by name, not id.
  if (m.role === 'tool' && typeof m.tool_call_id === 'string' && toolNames.has(m.tool_call_id)) out.tool_name = toolNames.get(m.tool_call_id);
  return out;
}

/** `think`: levels for gpt-oss, on/off for other thinking models (Qwen3, DeepSeek-R1, …). */
export function thinkValue(model: string, effort: ChatRequest['reasoningEffort']): string | boolean | undefined {
  if (!effort) return undefined;
  if (/gpt-oss/i.test(model)) return gptOssEffort(effort);
  return effort !== 'minimal';
}

export function ollamaBody(req: ChatRequest, model: string, stream: boolean, extra?: Record<string, unknown>): Record<string, unknown> {
  const b = req.body;
  const toolNames = new Map<string, string>();
  const body: Record<string, unknown> = {
    model,
    messages: req.messages.map((m) => message(m as Record<string, unknown>, toolNames)),
    stream,
  };
  const options: Record<string, unknown> = {};
  for (const k of ['temperature', 'top_p', 'seed', 'presence_penalty', 'frequency_penalty'] as const) if (b[k] !== undefined && b[k] !== null) options[k] = b[k];
  if (req.maxTokens !== undefined) options.num_predict = req.maxTokens;
  if (b.stop !== undefined && b.stop !== null) options.stop = typeof b.stop === 'string' ? [b.stop] : b.stop;
  if (Object.keys(options).length) body.options = options;
  if (Array.isArray(b.tools) && b.tools.length) body.tools = b.tools;
  const rf = b.response_format;
  if (isObj(rf)) {
    if (rf.type === 'json_object') body.format = 'json';
    else if (rf.type === 'json_schema' && isObj(rf.json_schema)) body.format = rf.json_schema.schema ?? 'json';
  }
  const think = b.think ?? thinkValue(model, req.reasoningEffort);
  if (think !== undefined) body.think = think;
  if (b.keep_alive !== undefined) body.keep_alive = b.keep_alive;
  if (extra) Object.assign(body, extra);
  return body;
}

export function ollamaUsage(o: Record<string, unknown>): Usage | undefined {
  const input = num(o.prompt_eval_count);
  const output = num(o.eval_count);
  if (input === undefined && output === undefined) return undefined;
  return { inputTokens: input ?? 0, outputTokens: output ?? 0 };
}

function finish(o: Record<string, unknown>, sawTools: boolean): FinishReason {
  const raw = typeof o.done_reason === 'string' ? o.done_reason : null;
  // Ollama says "stop" even when the turn ended in tool calls; clients loop on "tool_calls".
  if (sawTools) return { unified: 'tool_calls', raw };
  return { unified: raw === 'length' ? 'length' : raw === 'stop' || raw === null ? 'stop' : 'other', raw };
}

function toolCalls(v: unknown, newId: () => string): ToolCall[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).map((tc) => {
    const fn = isObj(tc.function) ? tc.function : {};
    const args = fn.arguments;
    return {
      id: typeof tc.id === 'string' && tc.id ? tc.id : newId(),
      type: 'function' as const,
      function: { name: typeof fn.name === 'string' ? fn.name : '', arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) },
    };
  });
}

export function readOllamaCompletion(json: unknown, newId: () => string): ChatResult {
  const o = isObj(json) ? json : {};
  const m = isObj(o.message) ? o.message : {};
  const tcs = toolCalls(m.tool_calls, newId);
  const choice: ChatResult['choices'][number] = {
    index: 0,
    content: typeof m.content === 'string' && (m.content || !tcs.length) ? m.content : null,
    finish: finish(o, tcs.length > 0),
  };
  if (typeof m.thinking === 'string' && m.thinking) choice.reasoning = m.thinking;
  if (tcs.length) choice.toolCalls = tcs;
  const created = typeof o.created_at === 'string' ? Math.floor(Date.parse(o.created_at) / 1000) : undefined;
  return { model: typeof o.model === 'string' ? o.model : undefined, created: Number.isFinite(created) ? created : undefined, choices: [choice], usage: ollamaUsage(o) };
}

/** Streaming state: whether `start` went out, and how many tool calls have been indexed. */
export interface OllamaStreamState { started: boolean; tools: number }

/** One NDJSON line of a streamed `/api/chat` answer → parts, appended to `out`. */
export function readOllamaLine(o: Record<string, unknown>, state: OllamaStreamState, out: StreamPart[], newId: () => string): void {
  if (!state.started) {
    state.started = true;
    out.push({ type: 'start', model: typeof o.model === 'string' ? o.model : undefined });
  }
  const m = isObj(o.message) ? o.message : {};
  if (typeof m.thinking === 'string' && m.thinking) out.push({ type: 'reasoning', text: m.thinking });
  if (typeof m.content === 'string' && m.content) out.push({ type: 'text', text: m.content });
  // Ollama sends each tool call whole, in one line, without an id: give each its own index and id.
  for (const tc of toolCalls(m.tool_calls, newId)) {
    out.push({ type: 'tool-call', index: state.tools++, id: tc.id, name: tc.function.name, argumentsDelta: tc.function.arguments });
  }
  if (o.done === true) {
    out.push({ type: 'finish', reason: finish(o, state.tools > 0) });
    const usage = ollamaUsage(o);
    if (usage) out.push({ type: 'usage', usage });
  }
}
