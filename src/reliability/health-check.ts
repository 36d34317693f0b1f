/**
 * Active health checks for local engines (Ollama, llama.cpp server, vLLM on this machine or
 * on-prem). Those go down and come back (restarts, model swaps) more often than a cloud API,
 * and nothing else would notice until a user's request timed out. Every `intervalMs` each
 * provider that lists models is asked for `GET /models`; a failure opens the breaker of its
 * deployments at once, and a later success closes what the check itself opened.
 */
import type { Deployment, Registry } from '../router/registry.js';
import type { Reliability } from './reliability.js';

export interface HealthCheckOptions {
  registry: Registry;
  reliability: Reliability;
  intervalMs: number;
  timeoutMs: number;
}

export class HealthChecker {
  private timer: NodeJS.Timeout | null = null;
  private readonly tripped = new Set<string>();
  private running = false;
  private readonly targets = new Map<string, Deployment[]>();

  constructor(private readonly opts: HealthCheckOptions) {
    for (const m of opts.registry.models.values()) {
      for (const d of m.deployments) {
        if (d.locality === 'cloud' || !d.provider.listModels) continue;
        const list = this.targets.get(d.providerId) ?? [];
        list.push(d);
        this.targets.set(d.providerId, list);
      }
    }
  }

  /** Number of providers being watched. */
  get size(): number { return this.targets.size; }

  start(): void {
    if (this.timer || this.targets.size === 0) return;
    this.timer = setInterval(() => { void this.checkOnce(); }, this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round of checks; resolves when every provider answered or timed out. */
  async checkOnce(): Promise<void> {
    if (this.running) return; // a slow round must not pile up behind itself
    this.running = true;
    try {
      await Promise.all([...this.targets.values()].map((ds) => this.check(ds)));
    } finally {
      this.running = false;
    }
  }

  private async check(ds: Deployment[]): Promise<void> {
    let ok = true;
    try {
      await ds[0].provider.listModels!(AbortSignal.timeout(this.opts.timeoutMs));
    } catch {
      ok = false;
    }
    for (const d of ds) {
      const breaker = this.opts.reliability.state(d).breaker;
      if (!ok) {
        if (breaker.current() !== 'open') { breaker.trip(); this.tripped.add(d.key); }
      } else if (this.tripped.delete(d.key)) {
        breaker.reset();
      }
    }
  }
}
