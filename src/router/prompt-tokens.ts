/**
 * How long a prompt is, for the context-window filter. Cheapest first: a worst-case character
 * bound settles most requests without tokenizing; otherwise the o200k tokenizer counts the text,
 * exactly up to 64k characters and from evenly spread samples beyond (counting costs up to ~2 ms
 * per KB on base64-like text, so whole megabyte prompts are never tokenized on the request path).
 * Deployments use other tokenizers (Qwen, GLM, Kimi), so every figure carries a safety margin.
 */
import { createRequire } from 'node:module';
import type { ChatRequest } from '../core/types.js';

// Loading o200k costs ~200 ms and ~60 MB, so it happens on the first prompt that needs it, not at
// start-up; require() keeps the filter synchronous.
let counter: ((text: string) => number) | undefined;
function countTokens(text: string): number {
  counter ??= (createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as { countTokens: (t: string) => number }).countTokens;
  return counter(text);
}

/** Per-message overhead (role, separators) in chat templates, and the tokenizer-difference margin. */
const PER_MESSAGE = 8;
export const TOKENIZER_MARGIN = 1.1;
/** Extra margin on an extrapolation from samples. */
const SAMPLE_MARGIN = 1.15;
/** An image costs ~85 tokens at low detail and up to ~1,500 at high; budget the high end. */
const PER_IMAGE = 1500;
const EXACT_LIMIT = 65_536;
const SAMPLES = 32;
const SAMPLE_CHARS = 2048;

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

/**
 * An upper bound in practice without tokenizing: o200k needs about 1.5 characters a token on
 * the densest ASCII (base64, hex) and at most ~1.5 tokens for a character of other scripts.
 */
export function worstCaseTokens(text: string): number {
  let ascii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 128) ascii++;
  return Math.ceil(ascii / 1.4 + (text.length - ascii) * 1.5);
}

function sampledTokens(text: string): number {
  const step = (text.length - SAMPLE_CHARS) / (SAMPLES - 1);
  let chars = 0;
  let tokens = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const from = Math.floor(i * step);
    const slice = text.slice(from, from + SAMPLE_CHARS);
    chars += slice.length;
    tokens += countTokens(slice);
  }
  return Math.ceil((tokens / chars) * text.length * SAMPLE_MARGIN);
}

export interface PromptSize {
  /** Tokens to compare with a context window (margin included). */
  tokens: number;
  /** How the figure was obtained. */
  method: 'bound' | 'counted' | 'sampled';
}

/**
 * The prompt's size in tokens. `smallestWindow` is the tightest context window among the
 * candidates: when even the worst-case bound fits it, every deployment fits and nothing is counted.
 */
export function promptSize(chat: ChatRequest, smallestWindow: number): PromptSize {
  const { text, images } = promptText(chat);
  const overhead = chat.messages.length * PER_MESSAGE + images * PER_IMAGE;
  const bound = worstCaseTokens(text) + overhead;
  if (bound <= smallestWindow) return { tokens: bound, method: 'bound' };
  if (text.length <= EXACT_LIMIT) return { tokens: Math.ceil(countTokens(text) * TOKENIZER_MARGIN) + overhead, method: 'counted' };
  return { tokens: Math.ceil(sampledTokens(text) * TOKENIZER_MARGIN) + overhead, method: 'sampled' };
}
