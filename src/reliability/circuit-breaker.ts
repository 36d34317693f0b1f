/**
 * A circuit breaker for one deployment. Closed: traffic flows and outcomes are counted. It opens
 * after `consecutiveFailures` failures in a row, or when the error rate over the last `window`
 * outcomes reaches `errorRate` (once `minRequests` were seen): a dead upstream is noticed fast,
 * a flaky one is noticed without one lucky success resetting the count. Open: no traffic for
 * `openMs`. Half-open: up to `halfOpenProbes` real requests go through; a success closes the
 * breaker, a failure opens it again. The clock is injected so tests need no sleeps.
 */

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  consecutiveFailures: number;
  errorRate: number;
  window: number;
  minRequests: number;
  openMs: number;
  halfOpenProbes: number;
  now?: () => number;
}

export const DEFAULT_BREAKER: Omit<CircuitBreakerOptions, 'now'> = {
  consecutiveFailures: 5, errorRate: 0.5, window: 20, minRequests: 10, openMs: 30_000, halfOpenProbes: 1,
};

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private consecutive = 0;
  /** Ring buffer of recent outcomes: true = failure. */
  private readonly outcomes: boolean[] = [];
  private next = 0;
  private failures = 0;
  private openedAt = 0;
  private probes = 0;
  /** Times the breaker went from closed/half-open to open, for stats. */
  opens = 0;
  private readonly now: () => number;

  constructor(private readonly opts: CircuitBreakerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The state as of now (an open breaker whose time is up reads as half-open). */
  current(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.opts.openMs) {
      this.state = 'half_open';
      this.probes = 0;
    }
    return this.state;
  }

  /** Whether a request may be sent now. Does not reserve anything; see `acquire`. */
  allows(): boolean {
    const s = this.current();
    return s === 'closed' || (s === 'half_open' && this.probes < this.opts.halfOpenProbes);
  }

  /** Takes a slot for one request; false when the breaker refuses it. */
  acquire(): boolean {
    if (!this.allows()) return false;
    if (this.state === 'half_open') this.probes++;
    return true;
  }

  /** Milliseconds until an open breaker lets a probe through (0 when it allows traffic). */
  msUntilProbe(): number {
    if (this.current() !== 'open') return 0;
    return Math.max(0, this.openedAt + this.opts.openMs - this.now());
  }

  success(): void {
    if (this.current() === 'half_open') { this.close(); return; }
    this.consecutive = 0;
    this.record(false);
  }

  failure(): void {
    const s = this.current();
    if (s === 'half_open') { this.open(); return; }
    if (s === 'open') return;
    this.consecutive++;
    this.record(true);
    const seen = this.outcomes.length;
    if (this.consecutive >= this.opts.consecutiveFailures
      || (seen >= this.opts.minRequests && this.failures / seen >= this.opts.errorRate)) this.open();
  }

  /** A health check found the deployment down: open now, whatever the counts say. */
  trip(): void {
    if (this.current() !== 'open') this.open();
  }

  /** A probe slot was taken but the request ended with no verdict (client left, 4xx). */
  release(): void {
    if (this.state === 'half_open' && this.probes > 0) this.probes--;
  }

  /** A health check found the deployment back: close now. */
  reset(): void {
    this.close();
  }

  private record(failed: boolean): void {
    if (this.outcomes.length < this.opts.window) {
      this.outcomes.push(failed);
    } else {
      if (this.outcomes[this.next]) this.failures--;
      this.outcomes[this.next] = failed;
      this.next = (this.next + 1) % this.opts.window;
    }
    if (failed) this.failures++;
  }

  private open(): void {
    this.state = 'open';
    this.openedAt = this.now();
    this.opens++;
  }

  private close(): void {
    this.state = 'closed';
    this.consecutive = 0;
    this.outcomes.length = 0;
    this.next = 0;
    this.failures = 0;
  }
}
