/**
 * Harmony events → the gateway's StreamPart union. This is where gpt-oss's channels become what a
 * client may see:
 *   analysis (raw chain-of-thought)          → `reasoning` parts (the server drops them under the
 *                                              default `hidden` policy; they never become `text`)
 *   final, commentary without recipient,
 *   headerless text (a bare refusal)         → `text`
 *   any assistant message with a recipient   → `tool-call` parts, on whatever channel it came
 *                                              (gpt-oss sometimes calls tools from analysis)
 *   an unknown channel                        → `reasoning` (fail closed: it might be thought)
 *   non-assistant messages in a completion   → dropped
 * Tool names are the recipient without `functions.`, cut at any control string or whitespace.
 */
import { randomUUID } from 'node:crypto';
import type { ChoiceResult, FinishReason, StreamPart, ToolCall } from '../core/types.js';
import type { HarmonyEvent } from './stream-parser.js';
import type { MessageEnd } from './types.js';

export interface PartMapperOptions {
  /** Tool-call ids; injectable for deterministic tests. */
  newId?: () => string;
}

const NOT_TOOLS = new Set(['all', 'assistant', 'user']);

/** The function name a recipient addresses, or undefined when the message is not a tool call. */
export function toolNameOf(recipient: string | undefined): string | undefined {
  if (!recipient || NOT_TOOLS.has(recipient)) return undefined;
  let name = recipient.startsWith('functions.') ? recipient.slice('functions.'.length) : recipient;
  const cut = name.search(/<\||\s/);
  if (cut >= 0) name = name.slice(0, cut);
  return name || undefined;
}

type Sink = 'text' | 'reasoning' | 'tool' | 'skip';

export class HarmonyPartMapper {
  private readonly newId: () => string;
  private sink: Sink = 'skip';
  private toolIndex = -1;
  private sawToolCall = false;
  private lastEnd: MessageEnd | null = null;

  constructor(opts: PartMapperOptions = {}) {
    this.newId = opts.newId ?? (() => `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`);
  }

  map(ev: HarmonyEvent): StreamPart[] {
    switch (ev.type) {
      case 'message-start': {
        if (ev.role !== 'assistant') { this.sink = 'skip'; return []; }
        const name = toolNameOf(ev.recipient);
        if (name !== undefined) {
          this.sink = 'tool';
          this.sawToolCall = true;
          this.toolIndex += 1;
          return [{ type: 'tool-call', index: this.toolIndex, id: this.newId(), name, argumentsDelta: '' }];
        }
        const ch = ev.channel;
        this.sink = ch === undefined || ch === 'final' || ch === 'commentary' ? 'text' : 'reasoning';
        return [];
      }
      case 'content':
        if (!ev.text) return [];
        if (this.sink === 'text') return [{ type: 'text', text: ev.text }];
        if (this.sink === 'reasoning') return [{ type: 'reasoning', text: ev.text }];
        if (this.sink === 'tool') return [{ type: 'tool-call', index: this.toolIndex, argumentsDelta: ev.text }];
        return [];
      case 'message-end':
        this.lastEnd = ev.message.end;
        this.sink = 'skip';
        return [];
    }
  }

  mapAll(events: Iterable<HarmonyEvent>): StreamPart[] {
    const out: StreamPart[] = [];
    for (const ev of events) for (const p of this.map(ev)) out.push(p);
    return out;
  }

  /**
   * The finish part. `<|call|>` (or any tool call) → tool_calls; `<|return|>` → stop; otherwise the
   * upstream's own reason decides (`length` when it ran out of tokens mid-message).
   */
  finish(upstreamReason?: string | null): StreamPart {
    let reason: FinishReason;
    if (this.sawToolCall) reason = { unified: 'tool_calls', raw: this.lastEnd === 'call' ? '<|call|>' : upstreamReason ?? null };
    else if (this.lastEnd === 'return') reason = { unified: 'stop', raw: '<|return|>' };
    else if (upstreamReason === 'length') reason = { unified: 'length', raw: 'length' };
    else reason = { unified: upstreamReason === 'content_filter' ? 'content_filter' : 'stop', raw: upstreamReason ?? null };
    return { type: 'finish', reason };
  }
}

/** Fold parts into one non-streaming choice (content, reasoning, tool calls, finish). */
export function collectChoice(parts: Iterable<StreamPart>, index = 0): ChoiceResult {
  let content = '';
  let reasoning = '';
  let finish: FinishReason = { unified: 'stop', raw: null };
  const calls: ToolCall[] = [];
  for (const p of parts) {
    if (p.type === 'text') content += p.text;
    else if (p.type === 'reasoning') reasoning += p.text;
    else if (p.type === 'finish') finish = p.reason;
    else if (p.type === 'tool-call') {
      const call = calls[p.index] ??= { id: p.id ?? '', type: 'function', function: { name: p.name ?? '', arguments: '' } };
      if (p.id) call.id = p.id;
      if (p.name) call.function.name = p.name;
      call.function.arguments += p.argumentsDelta;
    }
  }
  const choice: ChoiceResult = { index, content: content || (calls.length ? null : ''), finish };
  if (reasoning) choice.reasoning = reasoning;
  if (calls.length) choice.toolCalls = calls.filter(Boolean);
  return choice;
}
