/**
 * What the gateway has learned about one deployment at run time: requests in flight, a latency
 * average, its circuit breaker, and how long an upstream 429 asked it to be left alone.
 */
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';

/** Weight of the newest latency sample: ~the last 10 samples dominate. */
const EWMA_ALPHA = 0.2;

export class DeploymentState {
  inFlight = 0;
  /** Exponentially weighted moving average of time to first part (streams) or answer, ms. */
  ewmaMs: number | undefined;
  /** Epoch ms before which the deployment asked (Retry-After on a 429) not to be called. */
  coolUntil = 0;
  requests = 0;
  failures = 0;
  readonly breaker: CircuitBreaker;

  constructor(readonly key: string, breaker: CircuitBreakerOptions, private readonly now: () => number = Date.now) {
    this.breaker = new CircuitBreaker({ ...breaker, now });
  }

  /** Whether the deployment may be tried now (breaker allows it and no Retry-After is pending). */
  available(): boolean {
    return this.now() >= this.coolUntil && this.breaker.allows();
  }

  /** Milliseconds until `available()` may turn true. */
  msUntilAvailable(): number {
    return Math.max(this.coolUntil - this.now(), this.breaker.msUntilProbe(), 0);
  }

  sample(ms: number): void {
    this.ewmaMs = this.ewmaMs === undefined ? ms : this.ewmaMs + EWMA_ALPHA * (ms - this.ewmaMs);
  }

  /** A failure counts against latency too, so a fast-failing deployment does not look fastest. */
  failedAfter(ms: number): void {
    this.sample(Math.max(ms, 2 * (this.ewmaMs ?? ms), 1));
  }

  coolDown(ms: number): void {
    this.coolUntil = Math.max(this.coolUntil, this.now() + ms);
  }
}
