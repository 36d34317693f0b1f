/**
 * Delay before another pass over the fallback chain: exponential with full jitter (so clients
 * that failed together do not retry together), but never shorter than an upstream's
 * Retry-After. Randomness is injected so tests can pin it.
 */
import type { CancelSignal } from '../core/cancel.js';

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

/** `attempt` counts retries from 0. `retryAfterMs` is the longest wait an upstream asked for. */
export function backoffMs(attempt: number, opts: BackoffOptions, retryAfterMs?: number): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** attempt);
  const jittered = Math.floor((opts.random ?? Math.random)() * ceiling);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: CancelSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(signal.reason); return; }
    const onAbort = () => { clearTimeout(t); reject(signal?.reason); };
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
