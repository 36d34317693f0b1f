/** Batch parsing: the streaming parser fed the whole input at once. */
import { HarmonyStreamParser, type StreamParserOptions } from './stream-parser.js';
import type { ParsedMessage } from './types.js';

/** Parse completion (or transcript) text into messages. Lenient unless `strict`; lenient never throws. */
export function parseText(text: string, opts: StreamParserOptions = {}): ParsedMessage[] {
  const p = new HarmonyStreamParser(opts);
  p.push(text);
  p.end();
  return p.messages;
}

/** Parse o200k_harmony token ids. */
export function parseTokens(ids: Iterable<number>, opts: StreamParserOptions = {}): ParsedMessage[] {
  const p = new HarmonyStreamParser(opts);
  p.pushTokens(ids);
  p.end();
  return p.messages;
}

/** The reference's JSON shape for a message (snake_case), as `switchyard harmony parse` prints it. */
export function toWireMessage(m: ParsedMessage): Record<string, string | null> {
  return {
    role: m.role,
    ...(m.name !== undefined ? { name: m.name } : {}),
    channel: m.channel ?? null,
    recipient: m.recipient ?? null,
    content_type: m.contentType ?? null,
    content: m.content,
  };
}
