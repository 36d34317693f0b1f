/**
 * Observed time to first byte per deployment, as an exponentially weighted moving average, for
 * `provider: {sort: 'latency'}`. Fed by the timing wrapper around providers (boot.ts).
 */
export class LatencyBook {
  private readonly ewma = new Map<string, number>();
  constructor(private readonly alpha = 0.2) {}

  record(key: string, ms: number): void {
    const prev = this.ewma.get(key);
    this.ewma.set(key, prev === undefined ? ms : prev + this.alpha * (ms - prev));
  }

  get(key: string): number | undefined {
    return this.ewma.get(key);
  }
}

export const latencyBook = new LatencyBook();
