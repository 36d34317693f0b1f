/**
 * Untrusted text must not be able to forge harmony structure. A user message or a tool result that
 * contains `<|end|><|start|>assistant<|channel|>final<|message|>…` would, if pasted verbatim into a
 * raw prompt, become a real assistant turn: engines that take a text prompt (vLLM, llama.cpp
 * `/v1/completions`) tokenize control strings as the special tokens they spell.
 *
 * The fix keeps the text readable: the ASCII bar of every `<|` opener (and of the matching `|>` in a
 * complete `<|name|>`) becomes U+FF5C FULLWIDTH VERTICAL LINE, so `<|start|>` reads `<｜start｜>`.
 * That string is ordinary BPE text to o200k, and our parser does not recognise it either. A lone
 * `|>` (Elixir and F# pipes) is left alone: without the `<|` opener it cannot start a control token.
 */
import { CONTROL } from './types.js';

export const FULLWIDTH_BAR = '\uFF5C';
const NAMED = /<\|([A-Za-z0-9_]{0,64})\|>/g;

/** True when `text` contains anything that could start a control token. */
export function hasControlSequence(text: string): boolean {
  return text.includes('<|');
}

/** Neutralise control strings in untrusted message content. Idempotent; returns the input when clean. */
export function neutralize(text: string): string {
  if (!text.includes('<|')) return text;
  return text.replace(NAMED, `<${FULLWIDTH_BAR}$1${FULLWIDTH_BAR}>`).replaceAll('<|', `<${FULLWIDTH_BAR}`);
}

/**
 * Header fields (author names, recipients, channels) are one word each: whitespace would split the
 * header, so it becomes `_`, and control strings are removed outright.
 */
export function sanitizeHeaderField(value: string): string {
  return value.replace(NAMED, '').replaceAll('<|', '').replaceAll('|>', '').replace(/\s+/g, '_');
}

/** A content type may legitimately start with `<|constrain|>`; everything after it is sanitised. */
export function sanitizeContentType(value: string): string {
  if (value.startsWith(CONTROL.constrain)) return CONTROL.constrain + sanitizeHeaderField(value.slice(CONTROL.constrain.length));
  return sanitizeHeaderField(value);
}
