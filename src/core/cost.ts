import type { Usage } from './types.js';

/** USD per million tokens. `cached` defaults to the input price when a provider gives no discount. */
export interface PriceTable { input: number; output: number; cached?: number }

/** The request's cost in USD. Reasoning tokens are part of output tokens (OpenAI's convention). */
export function costUsd(usage: Usage, price: PriceTable | undefined): number {
  if (!price) return 0;
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const fresh = usage.inputTokens - cached;
  const c = (fresh * price.input + cached * (price.cached ?? price.input) + usage.outputTokens * price.output) / 1e6;
  // Round to 1e-10 USD so sums in the log are stable and the header stays short.
  return Math.round(c * 1e10) / 1e10;
}
