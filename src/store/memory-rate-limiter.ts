/**
 * Per-key request and token limits for a single process: fixed one-minute windows aligned to the
 * clock minute. A fixed window can admit up to twice the limit across a minute boundary; the
 * trade is O(1) state per key and an exact Retry-After (seconds to the next minute). The Redis
 * limiter applies the same rule, so moving from one process to many changes nothing visible.
 */
import type { Clock, RateDecision, RateLimiter, RateLimits } from './store.js';

export const WINDOW_MS = 60_000;

interface Window { start: number; requests: number; tokens: number }

export const secondsToWindowEnd = (now: number, windowStart: number): number =>
  Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));

/** The shared admission rule; `used` is the window's count before this request. */
export function rateDecision(args: {
  limits: RateLimits; requests: number; tokens: number; addTokens: number; now: number; windowStart: number;
}): RateDecision {
  const { limits, requests, tokens, addTokens, now, windowStart } = args;
  const retryAfterSeconds = secondsToWindowEnd(now, windowStart);
  if (limits.rpm !== null && requests + 1 > limits.rpm) return { ok: false, limit: 'rpm', retryAfterSeconds };
  // A single request larger than the whole tpm is still admitted into an empty window, otherwise
  // it could never run; it then blocks the key for the rest of the minute. Every request costs
  // at least one token, so a full window rejects even a request that estimates zero.
  if (limits.tpm !== null && tokens > 0 && tokens + Math.max(1, addTokens) > limits.tpm) {
    return { ok: false, limit: 'tpm', retryAfterSeconds };
  }
  return { ok: true };
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly now: Clock;

  constructor(opts: { now?: Clock } = {}) {
    this.now = opts.now ?? Date.now;
  }

  private window(keyId: string, now: number): Window {
    const start = now - (now % WINDOW_MS);
    let w = this.windows.get(keyId);
    if (!w || w.start !== start) {
      w = { start, requests: 0, tokens: 0 };
      this.windows.set(keyId, w);
      // Old windows are garbage once their minute is over; sweep only when the map grows.
      if (this.windows.size > 10_000) this.sweep(start);
    }
    return w;
  }

  private sweep(currentStart: number): void {
    for (const [k, w] of this.windows) if (w.start !== currentStart) this.windows.delete(k);
  }

  async consume(keyId: string, limits: RateLimits, tokens: number): Promise<RateDecision> {
    const now = this.now();
    const w = this.window(keyId, now);
    const d = rateDecision({ limits, requests: w.requests, tokens: w.tokens, addTokens: tokens, now, windowStart: w.start });
    if (d.ok) {
      w.requests += 1;
      w.tokens += Math.max(0, tokens);
    }
    return d;
  }

  async adjustTokens(keyId: string, delta: number): Promise<void> {
    const w = this.window(keyId, this.now());
    w.tokens = Math.max(0, w.tokens + delta);
  }
}
