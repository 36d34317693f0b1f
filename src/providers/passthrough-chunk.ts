/**
 * Streaming pass-through for plain OpenAI-compatible upstreams. Most chunks of a streamed answer
 * carry nothing but a piece of `delta.content`; parsing each one, mapping it to a stream part and
 * serializing it again was most of the gateway's per-chunk work. A chunk that is provably plain is
 * forwarded as text instead: everything from its `"choices":[` onward is kept as the upstream
 * wrote it, and the chat handler puts its own `id`, `object`, `created` and `model` in front.
 *
 * Plain means: one choice (index 0), no role, tool calls, reasoning, refusal, error, usage,
 * finish reason or vendor extension, and no second `model`/`id` later in the object; the text is
 * also checked to be one balanced JSON object, so a cut or corrupted chunk still takes the parsing
 * path and ends the stream with an error. Anything else (including a first chunk) is parsed as
 * before. Reasoning can therefore never pass through unseen: a chunk that mentions it is parsed.
 */

const CHOICES = '"choices":[';
/** Keys (or values) that need the parsing path when they appear after `"choices":[`. */
const NOT_PLAIN = /"(?:role|tool_calls|function_call|reasoning[a-z_]*|thinking|refusal|error|x_[a-z_]+|usage|model|id|object|created|finish_reason)"\s*:\s*[^n\s]|"(?:model|id|object|created|choices)"\s*:|"index"\s*:\s*[1-9]/;

export interface PlainChunk {
  /** The chunk from `"choices":[` to its closing brace. */
  rest: string;
  /** Characters of `delta.content` as written in JSON (escapes count as written); 0 when none. */
  textChars: number;
}

/** The forwardable part of a plain content chunk, or null when it must be parsed. */
export function plainChunk(data: string): PlainChunk | null {
  const at = data.indexOf(CHOICES);
  if (at < 0 || data.charCodeAt(0) !== 0x7b /* { */) return null;
  const rest = data.slice(at);
  if (NOT_PLAIN.test(rest.slice(CHOICES.length))) return null;
  const textChars = contentChars(rest);
  // Chunks without text (an empty delta, a keep-alive) are left to the parser, which drops them.
  if (textChars === 0 || !balancedObject(data)) return null;
  return { rest, textChars };
}

/**
 * True when `s` is one `{…}` with balanced brackets outside strings, closed strings, and nothing
 * after the final brace. Not a full JSON validator, but a truncated or spliced chunk fails it.
 */
function balancedObject(s: string): boolean {
  let depth = 0;
  let inString = false;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      else if (c < 0x20) return false; // raw control characters are not valid in JSON strings
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth < 0) return false;
      if (depth === 0 && i !== n - 1) return false;
    }
  }
  return depth === 0 && !inString;
}

const CONTENT = '"content":"';

function contentChars(rest: string): number {
  const at = rest.indexOf(CONTENT);
  if (at < 0) return 0;
  const start = at + CONTENT.length;
  for (let i = start; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i - start;
  }
  return 0;
}
