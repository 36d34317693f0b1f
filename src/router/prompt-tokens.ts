/**
 * How long a prompt is, for the context-window filter: a cheap character-based estimate, refined
 * with an o200k count only when the estimate comes near a window. Deployments use other tokenizers
 * (Qwen, GLM, Kimi), so the count gets a safety margin rather than pretending to be exact.
 */
import { createRequire } from 'node:module';
import type { ChatRequest } from '../core/types.js';

// Loading o200k costs ~200 ms and ~60 MB, so it happens on the first prompt that comes near a
// window, not at start-up; require() keeps the filter synchronous.
let counter: ((text: string) => number) | undefined;
function countTokens(text: string): number {
  counter ??= (createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as { countTokens: (t: string) => number }).countTokens;
  return counter(text);
}

/** Per-message overhead (role, separators) in chat templates, and the tokenizer-difference margin. */
const PER_MESSAGE = 8;
export const TOKENIZER_MARGIN = 1.1;
/** An image costs ~85 tokens at low detail and up to ~1,500 at high; budget the high end. */
const PER_IMAGE = 1500;

function promptText(chat: ChatRequest): { text: string; images: number } {
  let text = '';
  let images = 0;
  for (const m of chat.messages) {
    const c = m.content;
    if (typeof c === 'string') text += c;
    else if (Array.isArray(c)) for (const p of c) if (p.type === 'text' && typeof p.text === 'string') text += p.text; else if (p.type === 'image_url') images++;
    if (m.tool_calls) for (const tc of m.tool_calls) text += tc.function.name + (tc.function.arguments ?? '');
    text += '\n';
  }
  const tools = chat.body.tools;
  if (Array.isArray(tools) && tools.length) text += JSON.stringify(tools);
  return { text, images };
}

/** Upper-leaning estimate without tokenizing: ASCII ~4 chars a token, other scripts ~1 char a token. */
export function cheapTokenEstimate(text: string): number {
  let ascii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 128) ascii++;
  return Math.ceil(ascii / 4) + (text.length - ascii);
}

export interface PromptSize {
  /** Tokens to compare with a context window (margin included). */
  tokens: number;
  /** Whether a tokenizer counted, or only the cheap estimate was needed. */
  counted: boolean;
}

/**
 * The prompt's size in tokens. `smallestWindow` is the tightest context window among the
 * candidates: when the cheap estimate is below half of it, nothing can overflow and counting is
 * skipped (the common case costs one pass over the characters).
 */
export function promptSize(chat: ChatRequest, smallestWindow: number): PromptSize {
  const { text, images } = promptText(chat);
  const overhead = chat.messages.length * PER_MESSAGE + images * PER_IMAGE;
  const cheap = cheapTokenEstimate(text) + overhead;
  if (cheap < smallestWindow / 2) return { tokens: cheap, counted: false };
  return { tokens: Math.ceil(countTokens(text) * TOKENIZER_MARGIN) + overhead, counted: true };
}
