/**
 * Gateway types → OpenAI wire format, the only place that knows it. Streaming chunks are built
 * from a prefix serialized once per response, since only the delta changes between them.
 */
import type { ChatResult, FinishReason, Usage } from '../core/types.js';

export function finishOut(f: FinishReason): string {
  // 'other' and 'error' are not values OpenAI clients know; 'stop' is the honest nearest one
  // (the raw value is kept in the request log).
  return f.unified === 'other' || f.unified === 'error' ? 'stop' : f.unified;
}

export interface UsageOut {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
  cost: number;
  estimated?: boolean;
  /** Only `completion_tokens_details.reasoning_tokens` is Switchyard's estimate; the rest is the upstream's count. */
  reasoning_estimated?: boolean;
}

export function usageOut(u: Usage, cost: number): UsageOut {
  const out: UsageOut = { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.inputTokens + u.outputTokens, cost };
  if (u.cachedInputTokens !== undefined) out.prompt_tokens_details = { cached_tokens: u.cachedInputTokens };
  if (u.reasoningTokens !== undefined) out.completion_tokens_details = { reasoning_tokens: u.reasoningTokens };
  if (u.estimated) out.estimated = true;
  else if (u.reasoningEstimated) out.reasoning_estimated = true;
  return out;
}

export interface CompletionOutOptions {
  id: string;
  model: string;
  created: number;
  result: ChatResult;
  usage: UsageOut;
  exposeReasoning: boolean;
}

export function completionOut(o: CompletionOutOptions): Record<string, unknown> {
  return {
    id: o.id,
    object: 'chat.completion',
    created: o.created,
    model: o.model,
    choices: o.result.choices.map((c) => {
      const message: Record<string, unknown> = { role: 'assistant', content: c.content };
      if (o.exposeReasoning && c.reasoning) message.reasoning = c.reasoning;
      if (c.toolCalls?.length) message.tool_calls = c.toolCalls;
      if (c.refusal) message.refusal = c.refusal;
      return { index: c.index, message, logprobs: null, finish_reason: finishOut(c.finish) };
    }),
    usage: o.usage,
  };
}

/** Serializes `chat.completion.chunk` events for one response. */
export class ChunkWriter {
  private readonly prefix: string;
  private readonly usagePrefix: string;
  private readonly rawPrefix: string;

  constructor(id: string, model: string, created: number) {
    const head = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)}`;
    this.prefix = `data: ${head},"choices":[{"index":0,"delta":`;
    this.usagePrefix = `data: ${head},"choices":[],"usage":`;
    this.rawPrefix = `data: ${head},`;
  }

  /** A forwarded upstream chunk (`"choices":[…]…}`, see providers/passthrough-chunk.ts) under this response's head. */
  raw(rest: string): string {
    return `${this.rawPrefix}${rest}\n\n`;
  }

  /** The first event of every answer: the assistant's role and no text. */
  role(): string {
    return `${this.prefix}{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`;
  }

  delta(delta: Record<string, unknown>): string {
    return `${this.prefix}${JSON.stringify(delta)},"logprobs":null,"finish_reason":null}]}\n\n`;
  }

  text(field: 'content' | 'reasoning', text: string): string {
    return `${this.prefix}{"${field}":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]}\n\n`;
  }

  finish(reason: FinishReason): string {
    return `${this.prefix}{},"logprobs":null,"finish_reason":"${finishOut(reason)}"}]}\n\n`;
  }

  usage(u: UsageOut): string {
    return `${this.usagePrefix}${JSON.stringify(u)}}\n\n`;
  }

  static error(body: unknown): string {
    return `data: ${JSON.stringify(body)}\n\n`;
  }

  static readonly DONE = 'data: [DONE]\n\n';
}
