/**
 * Streaming pass-through for plain OpenAI-compatible upstreams. Most chunks of a streamed answer
 * carry nothing but a piece of `delta.content`; parsing each one, mapping it to a stream part and
 * serializing it again was most of the gateway's per-chunk work. A chunk that is provably plain is
 * forwarded as text instead: everything from its `"choices":[` onward is kept as the upstream
 * wrote it, and the chat handler puts its own `id`, `object`, `created` and `model` in front.
 *
 * Plain means: one choice (index 0), no role, tool calls, reasoning, refusal, error, usage,
 * finish reason or vendor extension (nor error, usage or vendor extension before `"choices"`),
 * and no second `model`/`id` later in the object; the text is also checked to be one balanced
 * JSON object, so a cut or corrupted chunk still takes the parsing path and ends the stream with
 * an error. Anything else (including a first chunk) is parsed as
 * before. Reasoning can therefore never pass through unseen: a chunk that mentions it is parsed.
 */

import { stringEnd } from '../core/json-scan.js';
import type { StreamPart, Usage } from '../core/types.js';
import { readChunk, startPart } from './openai-wire.js';
import { ValueShape } from './value-shape.js';

const CHOICES = '"choices":[';
/** Keys (or values) that need the parsing path when they appear after `"choices":[`. */
const NOT_PLAIN = /"(?:role|tool_calls|function_call|reasoning[a-z_]*|thinking|refusal|error|x_[a-z_]+|usage|model|id|object|created|finish_reason)"\s*:\s*[^n\s]|"(?:model|id|object|created|choices)"\s*:|"index"\s*:\s*[1-9]/g;

export interface PlainChunk {
  /** The chunk from `"choices":[` to its closing brace. */
  rest: string;
  /** Characters of `delta.content` as written in JSON (escapes count as written); 0 when none. */
  textChars: number;
}

/** The forwardable part of a plain content chunk, or null when it must be parsed. */
export function plainChunk(data: string): PlainChunk | null {
  return new PlainChunks().read(data);
}

/**
 * plainChunk for the chunks of one stream. An upstream writes every content chunk of an answer
 * the same way but for the text, so once a chunk has passed every check, what surrounds its
 * content string is remembered: a later chunk that is the same text up to that string (its head
 * included, so `"choices":[` is found at the same place) and the same after it, around a
 * well-formed string of its own (closed, no raw control characters, not empty), is plain for the
 * same reasons, and only its text is scanned. A string cannot change the structure around it,
 * and neither of its quotes can be read as part of a key by the checks, since the remembered text
 * after it begins with `",` or `"}`. Anything else takes every check again.
 */
export class PlainChunks {
  /**
   * What precedes `"choices":[` in this stream's first chunk (`{"id":…,"model":…,`), when it is
   * top-level keys that nothing reads after the first chunk (see plainHead).
   */
  private head: string | null = null;

  constructor(private readonly shapes: ChunkShapes | null = null) {}

  /** The last chunk that passed every check, up to and including the opening quote of its content string. */
  private prefix: string | null = null;
  /** `data: ` + prefix: what a whole event of this shape starts with. */
  private eventPrefix = '';
  /** Where `"choices":[` starts in that chunk. */
  private at = 0;
  /** From the closing quote of that content string to the end of that chunk. */
  private after = '';

  read(data: string): PlainChunk | null {
    const shaped = this.byShape(data, this.prefix, 0, data.length);
    if (shaped) return shaped;
    const at = data.indexOf(CHOICES);
    if (at < 0 || data.charCodeAt(0) !== 0x7b /* { */) return null;
    return this.checked(data, at);
  }

  /**
   * read() for one whole event as it came off the wire (`data: ` + the chunk + a blank line, LF
   * only), by the remembered shape alone: the chunk's text when it is plain by it, else null, and
   * the event goes through the decoder and read() as any other. Saves splitting the event out of
   * the text first; only a chunk that matches the shape is taken, so it is the same chunk read()
   * would have been given (the shape holds no line break, and its text none either).
   */
  readEvent(text: string): PlainChunk | null {
    const end = text.length - 2;
    if (end < 6 || text.charCodeAt(end) !== 0x0a || text.charCodeAt(end + 1) !== 0x0a) return null;
    return this.byShape(text, this.prefix === null ? null : this.eventPrefix, 6, end);
  }

  /**
   * The chunk `s[from, end)` when it is the remembered shape around a well-formed text of its own,
   * else null. `head` is what `s` must start with: the remembered prefix, after `from` characters
   * of framing (`data: `) when those are part of it.
   */
  private byShape(s: string, head: string | null, from: number, end: number): PlainChunk | null {
    if (head === null) return null;
    const open = head.length - 1;
    const after = this.after;
    // `slice(…) ===` for the head, and `endsWith` for the tail: each the faster of the two on V8 11
    // for these lengths (startsWith at an offset measured 2x slower than the slice, a slice of the
    // tail 2x slower than endsWith).
    if (end <= open + 1 + after.length || s.slice(0, open + 1) !== head) return null;
    const close = textEnd(s, open);
    if (close <= open + 1 || end - close !== after.length || !s.endsWith(after, end)) return null;
    return { rest: s.slice(from + this.at, end), textChars: close - open - 1 };
  }

  /**
   * Called with the stream's first chunk once it was parsed (so it is one JSON object): its head
   * becomes this stream's, and when the upstream's content chunks have a known shape (ChunkShapes),
   * the first of them is plain by that shape without every check.
   */
  learnHead(data: string): void {
    const at = data.indexOf(CHOICES);
    if (at < 0) return;
    const head = data.slice(0, at);
    if (!plainHead(head)) return;
    this.head = head;
    const known = this.shapes?.content;
    if (known && this.prefix === null) this.remember(`${head}${known.mid}`, at, known.after);
  }

  /**
   * A chunk of this stream from `"choices":[` on, when it starts with the stream's head (else null):
   * what follows the head is all a started stream reads from a chunk, and `{` + it parses as the
   * chunk would have, but for keys of the head, none of which is read (see plainHead).
   */
  rest(data: string): string | null {
    const head = this.head;
    if (head === null || data.length <= head.length + CHOICES.length || data.slice(0, head.length) !== head
      || !data.startsWith(CHOICES, head.length)) return null;
    return data.slice(head.length);
  }

  private remember(prefix: string, at: number, after: string): void {
    this.prefix = prefix;
    this.eventPrefix = `data: ${prefix}`;
    this.at = at;
    this.after = after;
  }

  private checked(data: string, at: number): PlainChunk | null {
    // The content string first: a native scan that already rules out finish and usage chunks.
    const open = contentOpen(data, at);
    if (open < 0) return null;
    NOT_PLAIN.lastIndex = at + CHOICES.length;
    if (NOT_PLAIN.test(data) || !quietHead(data.slice(0, at))) return null;
    const close = stringEnd(data, open);
    // Chunks without text (an empty delta, a keep-alive) are left to the parser, which drops them.
    // Only what is forwarded is checked for balance: the head before `"choices"` is replaced
    // (its keys were looked at above).
    if (close <= open + 1 || !balancedTail(data, at)) return null;
    this.remember(data.slice(0, open + 1), at, data.slice(close));
    // Every check above looked only from `"choices":[` on: the shape holds for this upstream's
    // other streams too, whatever their heads.
    if (this.shapes) this.shapes.learnContent(data.slice(at, open + 1), this.after);
    return { rest: data.slice(at), textChars: close - open - 1 };
  }
}

/**
 * What one upstream's chunks look like, learned from its streams for its next ones (one per
 * provider): the shape of a plain content chunk around its text, so a stream's first content
 * chunk need not take every check (PlainChunks.learnHead); chunks that always stand for the
 * same part, such as `"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`, which every
 * stream of an upstream ends with in the same words, so they are parsed once; and chunks that come
 * back with other values (a stream's first chunk, its head, its usage chunk), read by their shape
 * (see ValueShape) instead of parsed.
 */
export class ChunkShapes {
  /** A plain content chunk from `"choices":[` to its content string's opening quote (`mid`), and from its closing quote on. */
  content: { mid: string; after: string } | null = null;
  private readonly fixed = new Map<string, StreamPart>();
  /** First chunks' rests (the role header's `"choices":[…]}`) and the parts they stand for after the start part. */
  private readonly firsts: Array<readonly [rest: string, parts: readonly StreamPart[]]> = [];
  /** First chunks' heads, read as their start part (see ValueShape). */
  private readonly heads: Array<ValueShape<StreamPart>> = [];
  /** Usage chunks' rests, read as their usage. */
  private readonly usages: Array<ValueShape<Usage>> = [];

  learnContent(mid: string, after: string): void {
    const c = this.content;
    if (c === null || c.mid !== mid || c.after !== after) this.content = { mid, after };
  }

  /**
   * The part a chunk's rest (see PlainChunks.rest) stands for, when it was seen before, or has the
   * shape of a usage chunk seen before.
   */
  part(rest: string): StreamPart | undefined {
    const known = this.fixed.size === 0 ? undefined : this.fixed.get(rest);
    if (known !== undefined) return known;
    const u = this.usages;
    for (let i = 0; i < u.length; i++) {
      const usage = u[i].read(rest);
      if (usage !== undefined) return { type: 'usage', usage };
    }
    return undefined;
  }

  /**
   * A stream's first chunk as parts without parsing it whole, when it ends with a rest (from
   * `"choices":[` on) that a first chunk of this upstream had before: the parts that rest stood
   * for then, after the start part its head stands for. The head is a quiet one (see plainHead)
   * ending in a comma, so `{` + its members is the chunk's object but for the rest's members, and
   * the rest holds no key the start part is read from (FIRST_REST_KEYS). Null when the chunk must
   * be parsed.
   */
  first(data: string): StreamPart[] | null {
    const f = this.firsts;
    for (let i = 0; i < f.length; i++) {
      const [rest, parts] = f[i];
      const at = data.length - rest.length;
      // endsWith, not a lookup by the rest: a lookup hashes the rest first.
      if (at < 2 || data.charCodeAt(at - 1) !== 0x2c /* , */ || !data.endsWith(rest)) continue;
      const start = this.start(data.slice(0, at));
      return start === null ? null : [start, ...parts];
    }
    return null;
  }

  /** Called with a stream's first chunk and the parts it was parsed into (the start part first). */
  learnFirst(data: string, parts: readonly StreamPart[]): void {
    if (this.firsts.length >= SHAPES_MAX || parts.length === 0 || parts[0].type !== 'start') return;
    const at = data.indexOf(CHOICES);
    if (at < 2 || data.charCodeAt(at - 1) !== 0x2c) return;
    const rest = data.slice(at);
    if (rest.length > FIXED_REST_MAX || FIRST_REST_KEYS.test(rest) || this.firsts.some(([r]) => r === rest)) return;
    const after = parts.slice(1);
    // Text, reasoning and a finish reason are the same whatever stream they come in; tool calls
    // (numbered per stream) and usage (counted per stream) are not.
    if (!after.every((p) => p.type === 'text' || p.type === 'reasoning' || p.type === 'finish')) return;
    const start = this.start(data.slice(0, at));
    const s = parts[0];
    if (start === null || start.type !== 'start' || start.id !== s.id || start.model !== s.model || start.created !== s.created) return;
    this.firsts.push([rest, Object.freeze(after.map(freezePart))]);
  }

  /** The start part a first chunk's head stands for (by a head shape seen before, else parsed), or null when it is not a quiet head. */
  private start(head: string): StreamPart | null {
    const h = this.heads;
    for (let i = 0; i < h.length; i++) {
      const start = h[i].read(head);
      if (start !== undefined) return start;
    }
    const start = headStart(head);
    if (start !== null && h.length < SHAPES_MAX) {
      const shape = ValueShape.learn(head, start, headStart);
      if (shape) h.push(shape);
    }
    return start;
  }

  /**
   * Remembers the one part a rest was read as, when that can never depend on the stream it came
   * in: a finish reason (not text, a tool call or usage, which differ or are counted per stream).
   * Bounded: an upstream has a few finish reasons, and the first FIXED_MAX rests seen stay.
   * A usage part teaches the shape of its chunk instead.
   */
  learnPart(rest: string, part: StreamPart): void {
    if (part.type === 'usage') { this.learnUsage(rest, part.usage); return; }
    if (part.type !== 'finish' || rest.length > FIXED_REST_MAX || this.fixed.size >= FIXED_MAX) return;
    this.fixed.set(rest, freezePart(part));
  }

  private learnUsage(rest: string, usage: Usage): void {
    if (this.usages.length >= SHAPES_MAX) return;
    for (const u of this.usages) if (u.read(rest) !== undefined) return;
    const shape = ValueShape.learn(rest, usage, usageOf);
    if (shape) this.usages.push(shape);
  }
}

const FIXED_MAX = 16;
const FIXED_REST_MAX = 256;
/** Head, first-rest and usage shapes kept per upstream (one or two each in practice). */
const SHAPES_MAX = 4;
/**
 * A first chunk's rest must not name a key the start part is read from (a later duplicate key
 * wins in JSON), nor spell a key with an escape.
 */
const FIRST_REST_KEYS = /"(?:id|model|created)"|\\/;

function freezePart(p: StreamPart): StreamPart {
  return p.type === 'finish' ? Object.freeze({ type: 'finish', reason: Object.freeze({ ...p.reason }) }) : Object.freeze({ ...p });
}

/** The start part a first chunk's head (`{…,` up to its `"choices":[`) stands for, or null when it is not a quiet head. */
function headStart(head: string): StreamPart | null {
  if (!plainHead(head)) return null;
  // `{,` before the rest would not be JSON, though `{}` is: the head needs a member before its comma.
  let i = head.length - 2;
  while (i > 0 && isSpace(head.charCodeAt(i))) i--;
  if (i <= 0) return null;
  let o: unknown;
  try {
    o = JSON.parse(`${head.slice(0, -1)}}`);
  } catch {
    return null;
  }
  return o !== null && typeof o === 'object' && !Array.isArray(o) ? startPart(o as Record<string, unknown>) : null;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** What a usage chunk's rest is read as, as the stream reads it (an error member ends the stream instead); null when not one usage part. */
function usageOf(rest: string): Usage | null {
  let json: unknown;
  try {
    json = JSON.parse(`{${rest}`);
  } catch {
    return null;
  }
  if ((json as { error?: unknown }).error) return null;
  const parts: StreamPart[] = [];
  readChunk(json, { started: true }, parts);
  return parts.length === 1 && parts[0].type === 'usage' ? parts[0].usage : null;
}

/**
 * Whether a chunk's head (what precedes its first `"choices":[`) holds none of the keys a started
 * stream reads (`choices`, `usage`, `error`, `x_groq`; see readChunk) and no escape, so that every
 * key is spelled as written. The head of a forwarded chunk is replaced by the gateway's own, so
 * such a key there must take the parsing path.
 */
function quietHead(head: string): boolean {
  return head.indexOf('\\') < 0 && !HEAD_KEYS.test(head);
}

const HEAD_KEYS = /"(?:choices|usage|error|x_[a-z_]*)"/;

/**
 * Whether a stream's head can stand for the chunks that share it (PlainChunks.rest): quiet (a
 * value the first chunk replaced with a later key would stand again in a chunk without that key),
 * and no `{` after its first character (the object's own): keys live in objects, so `"choices":[`
 * is then the object's own key (else `{` + the rest is not the chunk's object).
 */
function plainHead(head: string): boolean {
  return head.indexOf('{', 1) < 0 && quietHead(head);
}

/**
 * True when `{` + `s.slice(from)` is one object: brackets balanced outside strings, strings closed,
 * nothing after the final brace. Not a full JSON validator, but a truncated or spliced chunk
 * fails it.
 */
function balancedTail(s: string, from: number): boolean {
  // Raw control characters are never valid in JSON (outside strings only as whitespace, which
  // upstreams do not put in chunks): one native scan instead of a check per character.
  CONTROL.lastIndex = from;
  if (CONTROL.test(s)) return false;
  let depth = 1;
  const n = s.length;
  for (let i = from; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = stringEnd(s, i);
      if (i < 0) return false;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i === n - 1;
    }
  }
  return false;
}

const CONTROL = /[\x00-\x1f]/g;

/**
 * The index of the quote closing the string that opens at `open`, or -1 when there is none or the
 * string holds a raw control character. Most texts hold neither an escape nor a control
 * character: the first quote after `open` (a native scan) and a look at what is before it, half
 * the cost of one regex match for a chunk's few characters.
 */
function textEnd(s: string, open: number): number {
  const quote = s.indexOf('"', open + 1);
  if (quote < 0) return -1;
  let i = open + 1;
  while (i < quote) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x5c /* \ */) break;
    i++;
  }
  if (i === quote) return quote;
  if (s.charCodeAt(i) !== 0x5c) return -1; // a raw control character
  // An escape: the string ends at the first quote no escape covers, with no raw control character before it.
  const close = stringEnd(s, open);
  if (close < 0) return -1;
  CONTROL.lastIndex = i;
  return CONTROL.test(s) && CONTROL.lastIndex <= close ? -1 : close;
}

const CONTENT = '"content":"';

/** The index of the opening quote of the first `"content":"…"` string from `from`, or -1. */
function contentOpen(s: string, from: number): number {
  const at = s.indexOf(CONTENT, from);
  return at < 0 ? -1 : at + CONTENT.length - 1;
}
