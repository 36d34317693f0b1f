/**
 * Real token counts (o200k, the gpt-oss tokenizer) where an estimate is not good enough: context
 * windows for routing and budget holds. The tokenizer (≈60 MB) loads on first use, not at start-up.
 */
import type { ChatRequest } from './types.js';

type Counter = (text: string) => number;
let counter: Promise<Counter> | null = null;

export function tokenCounter(): Promise<Counter> {
  counter ??= import('../harmony/tokens.js').then((m) => (t: string) => m.countTokens(t));
  return counter;
}

/** Prompt tokens of a chat request: message text, tool calls and tool schemas, plus framing and images. */
export async function countPromptTokens(chat: ChatRequest): Promise<number> {
  let text = '';
  let images = 0;
  for (const m of chat.messages) {
    const c = m.content;
    if (typeof c === 'string') text += `${c}\n`;
    else if (Array.isArray(c)) for (const p of c) { if (p.type === 'text' && typeof p.text === 'string') text += `${p.text}\n`; else images++; }
    for (const tc of m.tool_calls ?? []) text += `${tc.function.name} ${tc.function.arguments}\n`;
  }
  const tools = chat.body.tools;
  if (Array.isArray(tools)) text += JSON.stringify(tools);
  // ≈4 tokens of role/separator framing per message; a low-detail image is 85 tokens.
  return (await tokenCounter())(text) + 4 * chat.messages.length + 85 * images;
}
