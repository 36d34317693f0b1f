/**
 * Orders the deployments of one model for a request. The plan lists a model's deployments, then
 * those of its fallbacks; only the order *within* each model changes, so fallbacks stay
 * fallbacks. Strategies:
 * - ordered: config order (the first deployment is primary, the rest are spares);
 * - weighted: random, proportional to `weight` (Efraimidis–Spirakis: sort by u^(1/w));
 * - least_in_flight: fewest requests in flight per unit of weight;
 * - latency: lowest EWMA latency × (in flight + 1), which shies away from a deployment that is
 *   fast but already busy. Deployments with no samples yet count as fastest, so they get tried.
 */
import type { BalanceStrategy } from '../config/schema.js';
import type { Deployment } from '../router/registry.js';
import type { DeploymentState } from './deployment-state.js';

export interface BalanceInput {
  deployments: readonly Deployment[];
  strategyOf: (modelName: string) => BalanceStrategy;
  stateOf: (d: Deployment) => DeploymentState;
  random?: () => number;
}

export function balance(input: BalanceInput): Deployment[] {
  const groups = new Map<string, Deployment[]>();
  for (const d of input.deployments) {
    const g = groups.get(d.modelName);
    if (g) g.push(d); else groups.set(d.modelName, [d]);
  }
  const out: Deployment[] = [];
  for (const [model, ds] of groups) out.push(...orderGroup(ds, input.strategyOf(model), input));
  return out;
}

function orderGroup(ds: Deployment[], strategy: BalanceStrategy, input: BalanceInput): Deployment[] {
  if (ds.length < 2 || strategy === 'ordered') return ds;
  const random = input.random ?? Math.random;
  const scored = ds.map((d, i) => ({ d, i, s: score(d, strategy, input, random) }));
  // Ties keep config order, so equal deployments behave like `ordered`.
  scored.sort((a, b) => a.s - b.s || a.i - b.i);
  return scored.map((x) => x.d);
}

function score(d: Deployment, strategy: BalanceStrategy, input: BalanceInput, random: () => number): number {
  const st = input.stateOf(d);
  const w = d.weight > 0 ? d.weight : 1;
  switch (strategy) {
    case 'weighted': return -Math.pow(random() || Number.MIN_VALUE, 1 / w); // larger key first
    case 'least_in_flight': return st.inFlight / w;
    case 'latency': return (st.ewmaMs ?? 0) * (st.inFlight + 1) / w;
    default: return 0;
  }
}
