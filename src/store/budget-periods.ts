/**
 * Budget periods and the one admission rule every budget backend applies, so SQLite, Postgres
 * and the Redis Lua script agree on what "over budget" means. Periods are UTC calendar days and
 * months: a day budget resets at 00:00 UTC.
 */
import { GatewayError } from '../core/errors.js';
import type { BudgetLimits } from './store.js';

/** How long a hold lives when never settled (an instance crashed mid-request). */
export const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;
/** Float sums of many small costs drift by ~1e-15; a nano-dollar tolerance keeps exact fits admitted. */
export const EPSILON_USD = 1e-9;

export interface Periods { day: string; month: string; dayEndsAt: number; monthEndsAt: number }

export function periodsAt(now: number): Periods {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const iso = d.toISOString();
  return {
    day: `d:${iso.slice(0, 10)}`,
    month: `m:${iso.slice(0, 7)}`,
    dayEndsAt: Date.UTC(y, m, d.getUTCDate() + 1),
    monthEndsAt: Date.UTC(y, m + 1, 1),
  };
}

export interface PeriodUsage { spentUsd: number; reservedUsd: number }

/**
 * Null when `maxCostUsd` fits both periods; otherwise the GatewayError to throw. When settled
 * spend alone leaves no room the client must wait for the period to roll over; when only live
 * holds are in the way, they resolve within seconds, so a short Retry-After is honest.
 */
export function admissionError(args: {
  limits: BudgetLimits; day: PeriodUsage; month: PeriodUsage; maxCostUsd: number; now: number;
}): GatewayError | null {
  const { limits, day, month, maxCostUsd, now } = args;
  const p = periodsAt(now);
  const checks = [
    { name: 'daily', limit: limits.dayUsd, use: day, endsAt: p.dayEndsAt },
    { name: 'monthly', limit: limits.monthUsd, use: month, endsAt: p.monthEndsAt },
  ];
  for (const c of checks) {
    if (c.limit === null) continue;
    if (c.use.spentUsd + c.use.reservedUsd + maxCostUsd <= c.limit + EPSILON_USD) continue;
    const settledFull = c.use.spentUsd + maxCostUsd > c.limit + EPSILON_USD;
    const retryAfterSeconds = settledFull ? Math.max(1, Math.ceil((c.endsAt - now) / 1000)) : 1;
    return new GatewayError('budget_exceeded',
      `This key's ${c.name} budget of $${c.limit} would be exceeded (spent $${round(c.use.spentUsd)}, ` +
      `$${round(c.use.reservedUsd)} held by requests in flight, this request may cost up to $${round(maxCostUsd)}).`,
      { retryAfterSeconds });
  }
  return null;
}

const round = (x: number): string => String(Math.round(x * 1e6) / 1e6);

export function assertCost(param: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new GatewayError('invalid_parameter', `${param} must be a finite, non-negative number`, { param });
  }
}
