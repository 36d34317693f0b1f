/**
 * Raw completions as gpt-oss writes them after a prompt ending in `<|start|>assistant`, including
 * the malformed shapes production engines emit (issue 4). Used by the upstream simulator's harmony
 * mode and by the harmony tests.
 */

export type HarmonyMalformation = 'missing-message' | 'no-header-refusal' | 'stray-return' | 'glued-constrain' | 'tool-on-analysis';

export interface HarmonyCompletionOptions {
  analysis?: string;
  /** The answer on `final`. Ignored when `toolCall` is given (the turn ends at `<|call|>`). */
  final?: string;
  /** A preamble on `commentary` before a tool call (shown to users as content). */
  preamble?: string;
  toolCall?: { name: string; args: unknown };
  malformed?: HarmonyMalformation;
  /** Keep the closing `<|return|>`/`<|call|>` (engines that strip stop strings leave it out). Default true. */
  includeStop?: boolean;
}

export function harmonyCompletion(opts: HarmonyCompletionOptions): string {
  const stop = opts.includeStop === false ? () => '' : (s: string) => s;
  const m = opts.malformed;
  const parts: string[] = [];
  // The first message continues the prompt's `<|start|>assistant`; later ones restart the header.
  const header = (rest: string) => (parts.length ? `<|start|>assistant${rest}` : rest);

  if (m === 'no-header-refusal') {
    // A bare refusal: no channel, no `<|message|>`, straight text.
    return `${opts.final ?? "I'm sorry, but I can't help with that."}<|end|>`;
  }
  if (opts.analysis !== undefined) parts.push(`${header('<|channel|>analysis<|message|>')}${opts.analysis}<|end|>`);
  if (opts.toolCall) {
    const args = typeof opts.toolCall.args === 'string' ? opts.toolCall.args : JSON.stringify(opts.toolCall.args);
    if (opts.preamble !== undefined) parts.push(`${header('<|channel|>commentary<|message|>')}${opts.preamble}<|end|>`);
    const to = `to=functions.${opts.toolCall.name}`;
    const h = m === 'glued-constrain' ? `<|channel|>commentary ${to}<|constrain|>json<|message|>`
      : m === 'tool-on-analysis' ? `<|channel|>analysis ${to} code<|message|>`
        : `<|channel|>commentary ${to} <|constrain|>json<|message|>`;
    parts.push(`${header(h)}${args}${stop('<|call|>')}`);
    return parts.join('');
  }
  const final = opts.final ?? '';
  if (m === 'missing-message') parts.push(`${header('<|channel|>final ')}${final}${stop('<|return|>')}`);
  else if (m === 'stray-return') parts.push(`${header('<|channel|>final<|message|>')}${final}<|end|>${stop('<|return|>')}`);
  else parts.push(`${header('<|channel|>final<|message|>')}${final}${stop('<|return|>')}`);
  return parts.join('');
}
