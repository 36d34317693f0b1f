/**
 * The policy gate a request passes before any upstream call, in the order that wastes least:
 * model allowed (403), rate limit (429 + Retry-After), then the budget hold (429 + Retry-After).
 * The returned reservation must be settled with the real cost, or released on failure.
 */
import { GatewayError } from '../core/errors.js';
import type { RateDecision, Reservation, Store, VirtualKey } from './store.js';
import { isModelAllowed } from './virtual-key.js';

export interface AdmissionRequest {
  key: VirtualKey;
  model: string;
  /** Prompt tokens + the output cap: what the request may use at most. */
  estimatedTokens: number;
  /** The same, priced with the most expensive deployment the request may reach. */
  maxCostUsd: number;
}

export function rateLimitError(d: Extract<RateDecision, { ok: false }>, key: VirtualKey): GatewayError {
  const what = d.limit === 'rpm' ? `${key.rpm} requests` : `${key.tpm} tokens`;
  return new GatewayError('rate_limit_exceeded',
    `Rate limit reached for this key: ${what} per minute. Retry after ${d.retryAfterSeconds} s.`,
    { retryAfterSeconds: d.retryAfterSeconds });
}

export async function admit(store: Pick<Store, 'rateLimiter' | 'budgets'>, req: AdmissionRequest): Promise<Reservation> {
  const { key, model } = req;
  if (!isModelAllowed(key, model)) {
    throw new GatewayError('model_not_allowed', `This key may not use the model \`${model}\`.`, { param: 'model' });
  }
  if (key.rpm !== null || key.tpm !== null) {
    const d = await store.rateLimiter.consume(key.id, { rpm: key.rpm, tpm: key.tpm }, req.estimatedTokens);
    if (!d.ok) throw rateLimitError(d, key);
  }
  return store.budgets.reserve(key.id, req.maxCostUsd);
}
