/**
 * o200k_harmony: the o200k_base BPE (from gpt-tokenizer) plus harmony's special tokens. The
 * package's o200k_harmony table stops at 201087 and throws on ids it does not know; harmony itself
 * decodes every id in 199998..201088 that is not a named token as `<|reserved_N|>`, so decoding
 * goes through our own table (README case 7).
 */
import harmonyEncoding from 'gpt-tokenizer/encoding/o200k_harmony';
import bpeRanks from 'gpt-tokenizer/bpeRanks/o200k_base';
import { renderConversationInto, type RenderOptions, type RenderSink } from './render.js';
import { CONTROL, CONTROL_IDS, type ControlName, type HarmonyMessage, type HarmonyRole } from './types.js';

const FIRST_SPECIAL = 199998;
const LAST_RESERVED = 201088;
const NAMED_SPECIALS = new Map<number, string>([
  [199998, '<|startoftext|>'],
  [199999, '<|endoftext|>'],
  [200018, '<|endofprompt|>'],
  ...Object.entries(CONTROL_IDS).map(([name, id]): [number, string] => [id, CONTROL[name as ControlName]]),
]);
const CONTROL_BY_ID = new Map<number, ControlName>(
  Object.entries(CONTROL_IDS).map(([name, id]): [number, ControlName] => [id, name as ControlName]),
);
const NO_SPECIALS = new Set<string>();
const utf8 = new TextEncoder();

/** The control token an id stands for, if it is one of harmony's seven. */
export function controlForId(id: number): ControlName | undefined {
  return CONTROL_BY_ID.get(id);
}

export function isSpecialToken(id: number): boolean {
  return id >= FIRST_SPECIAL && id <= LAST_RESERVED;
}

/** The text of a special id (`<|start|>`, `<|reserved_200014|>`), or undefined for ordinary ids. */
export function specialTokenText(id: number): string | undefined {
  if (!isSpecialToken(id)) return undefined;
  return NAMED_SPECIALS.get(id) ?? `<|reserved_${id}|>`;
}

/**
 * Bytes of an ordinary token. Tokens that are valid UTF-8 on their own come back as a string (the
 * fast path); tokens holding part of a multi-byte character come back as raw bytes.
 */
export function ordinaryTokenPiece(id: number): string | Uint8Array | undefined {
  const v = Number.isInteger(id) && id >= 0 && id < FIRST_SPECIAL ? bpeRanks[id] : undefined;
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : Uint8Array.from(v);
}

const SPECIAL_PATTERN = /<\|(?:start|end|message|channel|constrain|return|call|startoftext|endoftext|endofprompt|reserved_\d{6})\|>/g;

function specialId(text: string): number | undefined {
  for (const [id, t] of NAMED_SPECIALS) if (t === text) return id;
  const m = /^<\|reserved_(\d{6})\|>$/.exec(text);
  const id = m ? Number(m[1]) : NaN;
  return isSpecialToken(id) && !NAMED_SPECIALS.has(id) ? id : undefined;
}

/**
 * Encode text. With `allowSpecial`, control strings become their special ids (how the fixtures are
 * read). The special-token split is ours: gpt-tokenizer 4.0.0 finds a special token only at the
 * start of the text or right after another one (its sticky regex), so `a<|message|>` would encode
 * the marker as plain text.
 */
export function encode(text: string, opts: { allowSpecial?: boolean } = {}): number[] {
  if (!opts.allowSpecial) return harmonyEncoding.encode(text, { disallowedSpecial: NO_SPECIALS });
  const out: number[] = [];
  let last = 0;
  for (const m of text.matchAll(SPECIAL_PATTERN)) {
    const id = specialId(m[0]);
    if (id === undefined) continue;
    if (m.index > last) out.push(...harmonyEncoding.encode(text.slice(last, m.index), { disallowedSpecial: NO_SPECIALS }));
    out.push(id);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(...harmonyEncoding.encode(text.slice(last), { disallowedSpecial: NO_SPECIALS }));
  return out;
}

/** Count tokens of plain text (control strings counted as ordinary text). */
export function countTokens(text: string): number {
  return encode(text).length;
}

/** Decode ids to text; invalid UTF-8 becomes U+FFFD (never throws). Unknown ids become U+FFFD too. */
export function decode(ids: Iterable<number>): string {
  const dec = new TextDecoder('utf-8');
  let out = '';
  let pending: number[] = [];
  const flush = () => {
    if (pending.length) out += dec.decode(Uint8Array.from(pending));
    pending = [];
  };
  for (const id of ids) {
    const special = specialTokenText(id);
    if (special !== undefined) { flush(); out += special; continue; }
    const piece = ordinaryTokenPiece(id);
    if (piece === undefined) { flush(); out += '\uFFFD'; continue; }
    if (typeof piece === 'string') {
      if (pending.length) for (const b of utf8.encode(piece)) pending.push(b);
      else out += piece;
    } else {
      for (const b of piece) pending.push(b);
    }
  }
  flush();
  return out;
}

class TokenSink implements RenderSink {
  readonly ids: number[] = [];
  text(s: string): void { for (const id of encode(s)) this.ids.push(id); }
  control(name: ControlName): void { this.ids.push(CONTROL_IDS[name]); }
}

/**
 * Render straight to token ids, encoding each text piece on its own and each control token as its
 * id, as the reference does; `encode(renderConversation(...), {allowSpecial: true})` gives the same
 * ids for well-formed conversations, and this is what a token-level engine should be fed.
 */
export function renderConversationTokens(messages: readonly HarmonyMessage[], opts: RenderOptions = {}): number[] {
  const sink = new TokenSink();
  renderConversationInto(messages, sink, opts);
  return sink.ids;
}

export function renderForCompletionTokens(messages: readonly HarmonyMessage[], opts: RenderOptions & { nextRole?: HarmonyRole } = {}): number[] {
  const sink = new TokenSink();
  renderConversationInto(messages, sink, opts);
  sink.control('start');
  sink.text(opts.nextRole ?? 'assistant');
  return sink.ids;
}
