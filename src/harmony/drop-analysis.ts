/**
 * Which chain-of-thought to keep when re-rendering a conversation. gpt-oss is trained to see the
 * analysis of the turn in progress (including across a tool loop) but not that of turns already
 * answered: after a `final` message and a new user message, earlier analysis is dropped.
 *
 * Rule: an assistant `analysis` message is dropped when an assistant `final` message follows it and
 * a user message follows that final. This reproduces all four reference fixtures
 * (test_dropping_cot_by_default, test_preserve_cot with dropping off, test_does_not_drop_if_ongoing_analysis,
 * test_keep_analysis_between_finals). The reference renderer v0.0.8 instead drops only analysis
 * before the *first* final and only when the last assistant message is final; on three-turn
 * conversations that keeps the second turn's reasoning, which contradicts the guidance above, so we
 * deliberately differ there.
 */
import type { HarmonyMessage } from './types.js';

export function dropEarlierAnalysis<M extends Pick<HarmonyMessage, 'role' | 'channel'>>(messages: readonly M[]): readonly M[] {
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') { lastUser = i; break; }
  let cutoff = -1;
  for (let i = lastUser - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === 'assistant' && m.channel === 'final') { cutoff = i; break; }
  }
  if (cutoff < 0) return messages;
  return messages.filter((m, i) => !(i < cutoff && m.role === 'assistant' && m.channel === 'analysis'));
}
