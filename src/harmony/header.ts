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
  /** The header never reached `<|message|>`: what is left after role and channel is content (README case 4/5). */
  asContent?: boolean;
}

const isRole = (s: string): s is HarmonyRole => (HARMONY_ROLES as readonly string[]).includes(s);

/** Stray control strings must never survive in a recipient (they would leak into a tool name). */
const clean = (s: string): string => {
  const cut = s.indexOf('<|');
  return cut < 0 ? s : s.slice(0, cut);
};

function extractChannel(raw: string, strict: boolean): { rest: string; channel?: string } {
  const idx = raw.indexOf(CONTROL.channel);
  if (idx < 0) return { rest: raw };
  const after = raw.slice(idx + CONTROL.channel.length);
  const m = /[\s<]/.exec(after);
  const end = m ? m.index : after.length;
  const channel = after.slice(0, end);
  if (!channel && strict) throw new HarmonyParseError('channel marker present but no channel value found in header');
  return { rest: raw.slice(0, idx) + after.slice(end), channel: channel || undefined };
}

export function parseHeader(raw: string, roleHint: HarmonyRole | null, opts: HeaderParseOptions): { header: ParsedHeader; rest?: string } {
  const { strict } = opts;
  const { rest: noChannel, channel } = extractChannel(raw, strict);
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

  if (opts.asContent) {
    // Headerless text: keep an explicit `to=` as the recipient, everything else is what the model said.
    const words = strict ? parts : parts.filter((p) => {
      if (!p.startsWith('to=')) return true;
      header.recipient = clean(p.slice(3)) || undefined;
      return false;
    });
    return { header, rest: words.length ? words.join(' ') : undefined };
  }

  if (parts.length) {
    const count = parts.length;
    const last = parts.pop() as string;
    if (last.startsWith('to=')) {
      header.recipient = last.slice(3);
    } else if (count === 1 && !last.startsWith(CONTROL.constrain)) {
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
  if (!strict && header.recipient !== undefined) header.recipient = clean(header.recipient) || undefined;
  if (header.recipient === undefined) delete header.recipient;
  return { header, rest: parts.length ? parts.join(' ') : undefined };
}
