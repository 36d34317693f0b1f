/**
 * How a chat request becomes prompt tokens and how generated text becomes stream parts. Two formats:
 * the model's own chat template (template-format.ts) and harmony for gpt-oss (harmony-format.ts).
 */
import type { Token } from 'node-llama-cpp';
import type { ChatRequest, ContentPart, FinishReason, StreamPart } from '../core/types.js';

/** Decodes one request's generated tokens into parts; holds state across tokens. */
export interface OutputDecoder {
  push(token: Token): StreamPart[];
  /** Called once when generation ends, to flush anything held back. */
  end(): StreamPart[];
  /** The finish reason as the format sees it (harmony: a tool call makes it `tool_calls`). */
  finish?(reason: FinishReason): FinishReason;
  /** Tokens attributed to reasoning so far, for `usage.reasoningTokens`. */
  readonly reasoningTokens?: number;
}

export interface PromptFormat {
  readonly kind: 'harmony' | 'template';
  /** Whether the token that ends generation is fed to the decoder too (harmony's `<|return|>` closes a message). */
  readonly feedsStopToken: boolean;
  /** Prompt tokens. Untrusted text (message content) is never parsed into control tokens. */
  render(request: ChatRequest): Token[];
  /** The raw finish reason when `token` ends the completion, else null. */
  stopReason(token: Token): 'eos' | 'return' | 'call' | null;
  decoder(): OutputDecoder;
  /** Plain-text stop strings the format itself needs (e.g. a template's end marker written as text). */
  readonly stopTexts: readonly string[];
}

/** The text of a message's content; image and other parts are not supported by the local provider. */
export function contentText(content: string | ContentPart[] | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content.map((p) => (p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('');
}
