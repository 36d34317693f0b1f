/**
 * Waits for a promise, but no longer than a timeout or an abort. The gateway's timeouts must
 * hold even against a provider that ignores its AbortSignal: a stalled upstream can then never
 * leave a client hanging.
 */
import { GatewayError } from '../core/errors.js';
import type { CancelSignal } from '../core/cancel.js';

export interface RaceOptions {
  /** Milliseconds; Infinity or <= 0 means no timer. */
  ms: number;
  /** The error to fail with when the timer fires. */
  timeoutError: () => GatewayError;
  /** Also give up when this aborts (the client left); fails with its reason. */
  signal?: CancelSignal;
  /** Called when the timer fires, before rejecting (abort the upstream call). */
  onTimeout?: (err: GatewayError) => void;
}

/** The longest delay setTimeout takes (2^31 - 1 ms); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

export function race<T>(p: Promise<T>, opts: RaceOptions): Promise<T> {
  const timed = Number.isFinite(opts.ms) && opts.ms > 0;
  if (!timed && !opts.signal) return p;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = () => { if (finish()) reject(abortError(opts.signal!)); };
    const timer = timed ? setTimeout(() => {
      if (!finish()) return;
      const err = opts.timeoutError();
      opts.onTimeout?.(err);
      reject(err);
    }, Math.min(opts.ms, MAX_TIMER_MS)) : undefined;
    if (opts.signal?.aborted) { onAbort(); return; }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { if (finish()) resolve(v); }, (e: unknown) => { if (finish()) reject(e); });
  });
}

/** The error a wait cut by the client fails with: its abort reason when that is a gateway error. */
export function abortError(signal: CancelSignal): unknown {
  const r: unknown = signal.reason;
  return r instanceof GatewayError ? r : new GatewayError('upstream_error', 'the request was aborted', { cause: r });
}
