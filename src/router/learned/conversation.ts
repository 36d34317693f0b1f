/**
 * What the router reads from a request: the text of every turn (system, user, assistant, tool),
 * in order. Later turns matter as much as the first: a chat that starts with "hi" and turns into a
 * proof must be scored on the proof.
 */

/** An OpenAI-style message as the router sees it; anything else on the object is ignored. */
export interface RouterMessage {
  role?: unknown;
  content?: unknown;
  [k: string]: unknown;
}

export type RouterInput = string | readonly RouterMessage[];

export interface Turn { role: string; text: string }

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (part !== null && typeof part === 'object') {
      const text = (part as { text?: unknown }).text;
      if (typeof text === 'string') out += (out ? '\n' : '') + text;
    }
  }
  return out;
}

/** The turns of a conversation (a plain prompt is one user turn); turns without text are dropped. */
export function conversationTurns(input: RouterInput): Turn[] {
  if (typeof input === 'string') return input ? [{ role: 'user', text: input }] : [];
  const turns: Turn[] = [];
  for (const m of input) {
    if (m === null || typeof m !== 'object') continue;
    const text = contentText(m.content);
    // Tool-call arguments are what the model wrote; they say something about the task too.
    const calls = (m as { tool_calls?: unknown }).tool_calls;
    let extra = '';
    if (Array.isArray(calls)) {
      for (const c of calls) {
        const args = (c as { function?: { arguments?: unknown } } | null)?.function?.arguments;
        if (typeof args === 'string') extra += '\n' + args;
      }
    }
    const all = text + extra;
    if (all) turns.push({ role: typeof m.role === 'string' ? m.role : 'user', text: all });
  }
  return turns;
}

/** Whether a value looks like a conversation the router can read (for input validation). */
export function isRouterInput(v: unknown): v is RouterInput {
  if (typeof v === 'string') return true;
  return Array.isArray(v) && v.every((m) => m !== null && typeof m === 'object' && !Array.isArray(m));
}
