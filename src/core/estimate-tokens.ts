/**
 * A cheap token estimate for accounting when an upstream reports no usage (or a stream is cut).
 * About 4 characters per token for English with o200k-style tokenizers; marked `estimated` so
 * nobody mistakes it for a count.
 */
import type { ChatMessage } from './types.js';

export function estimateTextTokens(text: string): number {
  return estimateCharTokens(text.length);
}

export function estimateCharTokens(chars: number): number {
  return chars === 0 ? 0 : Math.ceil(chars / 4);
}

export function estimateMessagesTokens(messages: ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += 4; // role and separators
    const c = m.content;
    if (typeof c === 'string') chars += c.length;
    else if (Array.isArray(c)) for (const p of c) if (p.type === 'text' && typeof p.text === 'string') chars += p.text.length; else chars += 340; // an image ≈ 85 tokens at low detail
    if (m.tool_calls) for (const tc of m.tool_calls) chars += tc.function.name.length + (tc.function.arguments?.length ?? 0);
  }
  return Math.ceil(chars / 4) + 3;
}
