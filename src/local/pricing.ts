/**
 * What a request to a local deployment costs. Local models are free unless the user prices their hardware:
 * either per million tokens (`price: {input, output}`, like a cloud price list) or per hour of machine time
 * (`cost_per_hour`), in which case a request is charged for the wall-clock time it held the model.
 * A per-token price wins when both are set, because it is the one the user compares with cloud prices.
 */
import type { Usage } from '../core/types.js';
import type { LocalPrice } from './local-config.js';

export interface LocalPricing {
  price?: LocalPrice;
  cost_per_hour?: number;
}

export function localRequestCost(pricing: LocalPricing, usage: Pick<Usage, 'inputTokens' | 'outputTokens'>, durationMs: number): number {
  if (pricing.price) {
    return (usage.inputTokens * pricing.price.input + usage.outputTokens * pricing.price.output) / 1e6;
  }
  if (pricing.cost_per_hour) return pricing.cost_per_hour * Math.max(0, durationMs) / 3_600_000;
  return 0;
}
