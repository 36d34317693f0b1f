/**
 * The run-time reliability policy of one gateway: per-deployment timeouts and state (breaker,
 * latency, in-flight), the retry policy and each model's balancing strategy, all resolved once
 * from the config. Clock and randomness are injected so tests need no sleeps.
 */
import type { BalanceStrategy, Config, TimeoutsConfig } from '../config/schema.js';
import type { Deployment, Registry } from '../router/registry.js';
import { balance } from './balancer.js';
import { DEFAULT_BREAKER, type CircuitBreakerOptions } from './circuit-breaker.js';
import { DeploymentState } from './deployment-state.js';

export interface Timeouts { connectMs: number; ttftMs: number; idleMs: number; totalMs: number }

export interface RetryPolicy { maxRetries: number; baseMs: number; maxBackoffMs: number; maxRetryAfterMs: number }

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, ttftMs: 120_000, idleMs: 60_000, totalMs: 600_000 };
export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 1, baseMs: 100, maxBackoffMs: 2_000, maxRetryAfterMs: 10_000 };

export interface ReliabilityOptions {
  /** The config; only its `reliability`, providers' and deployments' timeouts and models' `balance` are read. */
  config?: Pick<Config, 'reliability' | 'providers' | 'models'>;
  now?: () => number;
  random?: () => number;
}

/** Which gateway's policy owns a deployment, so every caller of execute.ts shares its breakers. */
const owners = new WeakMap<Deployment, Reliability>();

/** Makes `r` the policy of every deployment in `registry` (boot does this once). */
export function attachReliability(registry: Registry, r: Reliability): void {
  for (const m of registry.models.values()) for (const d of m.deployments) owners.set(d, r);
}

export function reliabilityOf(d: Deployment | undefined): Reliability | undefined {
  return d ? owners.get(d) : undefined;
}

function mergeTimeouts(base: Timeouts, t: TimeoutsConfig | undefined): Timeouts {
  if (!t) return base;
  return {
    connectMs: t.connect_ms ?? base.connectMs,
    ttftMs: t.ttft_ms ?? base.ttftMs,
    idleMs: t.idle_ms ?? base.idleMs,
    totalMs: t.total_ms ?? base.totalMs,
  };
}

export class Reliability {
  readonly now: () => number;
  readonly random: () => number;
  readonly retry: RetryPolicy;
  readonly breakerEnabled: boolean;
  /** When every candidate's circuit is open, try them anyway instead of failing fast. */
  readonly lastResort: boolean;
  private readonly breaker: CircuitBreakerOptions;
  private readonly defaultTimeouts: Timeouts;
  private readonly providerTimeouts = new Map<string, Timeouts>();
  private readonly deploymentTimeouts = new Map<string, Timeouts>();
  private readonly strategies = new Map<string, BalanceStrategy>();
  private readonly defaultStrategy: BalanceStrategy;
  private readonly states = new Map<string, DeploymentState>();

  constructor(opts: ReliabilityOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    const r = opts.config?.reliability;
    this.retry = {
      maxRetries: r?.retry?.max_retries ?? DEFAULT_RETRY.maxRetries,
      baseMs: r?.retry?.base_ms ?? DEFAULT_RETRY.baseMs,
      maxBackoffMs: r?.retry?.max_backoff_ms ?? DEFAULT_RETRY.maxBackoffMs,
      maxRetryAfterMs: r?.retry?.max_retry_after_ms ?? DEFAULT_RETRY.maxRetryAfterMs,
    };
    const cb = r?.circuit_breaker;
    this.breakerEnabled = cb?.enabled ?? true;
    this.lastResort = cb?.last_resort ?? true;
    this.breaker = {
      consecutiveFailures: cb?.consecutive_failures ?? DEFAULT_BREAKER.consecutiveFailures,
      errorRate: cb?.error_rate ?? DEFAULT_BREAKER.errorRate,
      window: cb?.window ?? DEFAULT_BREAKER.window,
      minRequests: cb?.min_requests ?? DEFAULT_BREAKER.minRequests,
      openMs: cb?.open_ms ?? DEFAULT_BREAKER.openMs,
      halfOpenProbes: cb?.half_open_probes ?? DEFAULT_BREAKER.halfOpenProbes,
    };
    if (!this.breakerEnabled) this.breaker.consecutiveFailures = this.breaker.minRequests = Number.POSITIVE_INFINITY;
    this.defaultTimeouts = mergeTimeouts(DEFAULT_TIMEOUTS, r?.timeouts);
    this.defaultStrategy = r?.balance ?? 'ordered';
    for (const p of opts.config?.providers ?? []) {
      // The older provider-level `timeout_ms` is the total, unless `timeouts.total_ms` says otherwise.
      const base = p.timeout_ms ? { ...this.defaultTimeouts, totalMs: p.timeout_ms } : this.defaultTimeouts;
      this.providerTimeouts.set(p.id, mergeTimeouts(base, p.timeouts));
    }
    for (const m of opts.config?.models ?? []) {
      if (m.balance) this.strategies.set(m.name, m.balance);
      for (const d of m.deployments) {
        if (!d.timeouts) continue;
        const base = this.providerTimeouts.get(d.provider) ?? this.defaultTimeouts;
        this.deploymentTimeouts.set(`${m.name}\u0000${d.provider}/${d.model}`, mergeTimeouts(base, d.timeouts));
      }
    }
  }

  timeouts(d: Deployment): Timeouts {
    // The per-deployment key is a string built (and hashed) per call: only when any deployment has its own.
    const own = this.deploymentTimeouts.size ? this.deploymentTimeouts.get(`${d.modelName}\u0000${d.key}`) : undefined;
    return own ?? this.providerTimeouts.get(d.providerId) ?? this.defaultTimeouts;
  }

  /** Connect timeout for a provider's connection pool (connections are per provider, not per deployment). */
  connectTimeoutMs(providerId: string): number {
    return (this.providerTimeouts.get(providerId) ?? this.defaultTimeouts).connectMs;
  }

  /** State is per upstream (`provider/model`): two model names served by one upstream share it. */
  state(d: Pick<Deployment, 'key'>): DeploymentState {
    let s = this.states.get(d.key);
    if (!s) { s = new DeploymentState(d.key, this.breaker, this.now); this.states.set(d.key, s); }
    return s;
  }

  strategyOf(model: string): BalanceStrategy {
    return this.strategies.get(model) ?? this.defaultStrategy;
  }

  order(deployments: readonly Deployment[]): Deployment[] {
    return balance({ deployments, strategyOf: (m) => this.strategyOf(m), stateOf: (d) => this.state(d), random: this.random });
  }

  /** A JSON view for /health and debugging. */
  snapshot(): Record<string, { state: string; inFlight: number; ewmaMs: number | null; requests: number; failures: number; opens: number }> {
    const out: ReturnType<Reliability['snapshot']> = {};
    for (const [k, s] of this.states) {
      out[k] = { state: s.breaker.current(), inFlight: s.inFlight, ewmaMs: s.ewmaMs === undefined ? null : Math.round(s.ewmaMs), requests: s.requests, failures: s.failures, opens: s.breaker.opens };
    }
    return out;
  }
}
