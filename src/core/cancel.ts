/**
 * Cancellation on the request path. Every chat request needs a way to say "the client left" or
 * "this attempt timed out"; Node's AbortController is an EventTarget with several hundred bytes
 * of state, and under load its signals outlive young-generation collections and are promoted, so
 * two of them per request showed up as the largest source of old-space garbage (and of the
 * major-GC pauses in the latency tail). `Cancel` is the same contract in one small object.
 *
 * `CancelSignal` is the part of AbortSignal the gateway reads, so a real AbortSignal is one too
 * (tests and callers outside the request path pass those). undici accepts a Cancel as its
 * `signal` (it only uses `aborted`, `reason` and the two listener methods); APIs that insist on a
 * real AbortSignal get one from `toAbortSignal`, created on first use.
 */

export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

type Listener = () => void;

export class Cancel implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Listener | Listener[] | null = null;
  private real: AbortController | null = null;

  /** Aborts once; listeners run in the order they were added, each at most once. */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    const l = this.listeners;
    this.listeners = null;
    if (typeof l === 'function') l();
    else if (l) for (const fn of l) fn();
    this.real?.abort(this.reason);
  }

  /** Every listener fires once at most (abort happens once), whatever `options` say. */
  addEventListener(_type: 'abort', listener: Listener, _options?: { once?: boolean }): void {
    if (this.aborted) return;
    const l = this.listeners;
    if (l === null) this.listeners = listener;
    else if (typeof l === 'function') this.listeners = [l, listener];
    else l.push(listener);
  }

  removeEventListener(_type: 'abort', listener: Listener): void {
    const l = this.listeners;
    if (l === listener) this.listeners = null;
    else if (Array.isArray(l)) {
      const i = l.indexOf(listener);
      if (i >= 0) l.splice(i, 1);
    }
  }

  /** A real AbortSignal that aborts with this one (for APIs that need an EventTarget). */
  get signal(): AbortSignal {
    if (!this.real) {
      this.real = new AbortController();
      if (this.aborted) this.real.abort(this.reason);
    }
    return this.real.signal;
  }
}

export function toAbortSignal(s: CancelSignal): AbortSignal {
  if (s instanceof Cancel) return s.signal;
  return s as AbortSignal;
}
