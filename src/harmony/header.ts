/**
 * Parsing the header of one message: the text between `<|start|>` and `<|message|>`, e.g.
 * `assistant to=functions.get_weather<|channel|>commentary <|constrain|>json`. Follows the harmony
 * reference (channel extracted first, wherever it sits; `<|constrain|>` split off even when glued to
 * the recipient; the last word is the content type, the one before it the recipient). Lenient mode
 * never throws and recovers what production engines actually emit.
 */
import { CONTROL, HARMONY_ROLES, type HarmonyRole } from './types.js';

export class HarmonyParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HarmonyParseError';
  }
}

export interface ParsedHeader {
  role: HarmonyRole;
  name?: string;
  channel?: string;
  recipient?: string;
  contentType?: string;
}

export interface HeaderParseOptions {
  strict: boolean;
  /** The header never reached `<|message|>`: what is left after role and channel is content (lenient only). */
  asContent?: boolean;
}

/**
 * The reference reads a lone bare word as a recipient. `final json` is far more often a content type
 * than a tool called `json`, and misreading it would turn an answer into a tool call, so lenient
 * mode reads these words as content types.
 */
const BARE_CONTENT_TYPES = new Set(['json', 'code', 'text', 'markdown', 'html', 'yaml', 'xml']);

const isRole = (s: string): s is HarmonyRole => (HARMONY_ROLES as readonly string[]).includes(s);

/** Stray control strings must never survive in a recipient (they would leak into a tool name). */
const clean = (s: string): string => {
  const cut = s.indexOf('<|');
  return cut < 0 ? s : s.slice(0, cut);
};

/** Remove the channel marker and its value. Lenient mode removes every marker (first non-empty value wins). */
function extractChannel(raw: string, strict: boolean): { rest: string; channel?: string } {
  let rest = raw;
  let channel: string | undefined;
  for (let idx = rest.indexOf(CONTROL.channel); idx >= 0; idx = strict ? -1 : rest.indexOf(CONTROL.channel)) {
    const after = rest.slice(idx + CONTROL.channel.length);
    const m = /[\s<]/.exec(after);
    const end = m ? m.index : after.length;
    const value = after.slice(0, end);
    if (!value && strict) throw new HarmonyParseError('channel marker present but no channel value found in header');
    channel ??= value || undefined;
    rest = rest.slice(0, idx) + after.slice(end);
  }
  return { rest, channel };
}

const ANY_CONTROL = /<\|(?:start|end|message|channel|constrain|return|call)\|>/g;
/** Lenient output must not carry control strings anywhere (content, names, content types). */
const stripControls = (s: string): string => s.replace(ANY_CONTROL, '');
/** A content type keeps one leading `<|constrain|>` (it is part of the value); nothing else of that kind. */
function cleanContentType(ct: string): string | undefined {
  const constrained = ct.startsWith(CONTROL.constrain);
  const rest = stripControls(ct);
  return (constrained ? CONTROL.constrain + rest : rest) || undefined;
}

/**
 * Lenient recovery for a header that never reached `<|message|>` (README cases 4 and 5): after the
 * channel, an optional role word, `to=` recipient and content type, the rest is what the model said.
 * Whitespace inside the text is kept as written (only leading whitespace goes).
 */
function parseHeaderAsContent(noChannel: string, channel: string | undefined, roleHint: HarmonyRole | null): { header: ParsedHeader; rest?: string } {
  let body = noChannel.trimStart();
  let role: HarmonyRole = roleHint ?? 'assistant';
  const word = /^(\S+?)(?=\s|<\||$)\s*/.exec(body);
  if (word && isRole(word[1]) && (roleHint === null || word[1] === roleHint)) {
    role = word[1];
    body = body.slice(word[0].length);
  }
  const header: ParsedHeader = { role };
  if (channel !== undefined) header.channel = channel;
  const to = /^to=(\S+)\s*/.exec(body);
  if (to) {
    const recipient = clean(to[1]);
    if (recipient) header.recipient = recipient;
    body = body.slice(to[1].length + 3).trimStart();
  }
  const ct = /^(<\|constrain\|>\S*)\s*/.exec(body);
  if (ct) {
    const contentType = cleanContentType(ct[1]);
    if (contentType) header.contentType = contentType;
    body = body.slice(ct[0].length);
  }
  body = stripControls(body);
  return { header, rest: body || undefined };
}

export function parseHeader(raw: string, roleHint: HarmonyRole | null, opts: HeaderParseOptions): { header: ParsedHeader; rest?: string } {
  const { strict } = opts;
  const { rest: noChannel, channel } = extractChannel(raw, strict);
  if (opts.asContent && !strict) return parseHeaderAsContent(noChannel, channel, roleHint);
  let text = noChannel.trim();
  if (text.includes(CONTROL.constrain)) text = text.replaceAll(CONTROL.constrain, ` ${CONTROL.constrain}`).trim();
  const parts = text.split(/[ \t\n\r\f]+/).filter((p) => p.length > 0);

  let role: HarmonyRole;
  let name: string | undefined;
  if (roleHint) {
    role = roleHint;
  } else {
    const first = parts[0];
    if (first === undefined) {
      if (strict) throw new HarmonyParseError('message header did not contain a role');
      role = 'assistant';
    } else if (isRole(first)) {
      role = first;
    } else if (!strict && first.startsWith('to=')) {
      // `<|start|>to=functions.x…`: the model forgot its own role; it can only be the assistant.
      role = 'assistant';
    } else if (!strict || parts.length > 1 || first.startsWith('to=')) {
      // An unknown author with more header after it is a tool replying (`browser.search to=assistant`).
      parts.shift();
      role = 'tool';
      name = first;
    } else {
      throw new HarmonyParseError(`Unknown role: ${first}`);
    }
  }
  if (parts[0] === role) parts.shift();

  const header: ParsedHeader = { role };
  if (name !== undefined) header.name = name;
  if (channel !== undefined) header.channel = channel;

  if (parts.length) {
    const count = parts.length;
    const last = parts.pop() as string;
    if (last.startsWith('to=')) {
      header.recipient = last.slice(3);
    } else if (count === 1 && !last.startsWith(CONTROL.constrain) && (strict || !BARE_CONTENT_TYPES.has(last))) {
      header.recipient = last;
    } else {
      header.contentType = last;
      const r = parts.pop();
      if (r !== undefined) header.recipient = r.startsWith('to=') ? r.slice(3) : r;
    }
  }
  if (parts.length && strict) {
    throw new HarmonyParseError(`unexpected tokens remaining in message header: ${JSON.stringify(parts.join(' '))}`);
  }
  if (!strict) {
    if (header.recipient !== undefined) header.recipient = clean(header.recipient) || undefined;
    if (header.name !== undefined) header.name = clean(header.name) || undefined;
    if (header.contentType !== undefined) {
      const ct = cleanContentType(header.contentType);
      if (ct) header.contentType = ct;
      else delete header.contentType;
    }
    if (header.name === undefined) delete header.name;
  }
  if (header.recipient === undefined) delete header.recipient;
  return { header, rest: parts.length ? parts.join(' ') : undefined };
}
