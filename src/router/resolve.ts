/**
 * A model name → its candidate deployments, in the order to try them: the model's own deployments
 * (local first, then cheapest), then those of its configured fallback models; reordered or narrowed
 * by the request's `provider` preferences (provider-prefs.ts).
 */
import { GatewayError } from '../core/errors.js';
import type { ChatRequest } from '../core/types.js';
import type { Deployment, Registry } from './registry.js';
import type { RouteContext } from './route-context.js';
import { readProviderPrefs, type ProviderPrefs } from './provider-prefs.js';
import { providerTypes } from '../providers/presets/create-provider.js';
import { latencyBook } from './latency.js';

export interface Candidates { deployments: Deployment[]; reason: string }

/** Blended USD per million tokens at 3 input : 1 output, the usual chat mix. Unknown sorts last. */
export function blendedPrice(d: Deployment): number {
  return d.price ? (3 * d.price.input + d.price.output) / 4 : Number.POSITIVE_INFINITY;
}

const localRank = (d: Deployment): number => (d.locality === 'local' ? 0 : d.locality === 'on-prem' ? 1 : 2);

/** Local first (no network, no per-token price, data stays home), then cheapest; stable otherwise. */
export function defaultOrder(ds: Deployment[]): Deployment[] {
  return ds.slice().sort((a, b) => localRank(a) - localRank(b) || blendedPrice(a) - blendedPrice(b));
}

const named = (d: Deployment, list: string[]): boolean => list.includes(d.providerId) || list.includes(providerTypes.get(d.providerId) ?? '');
const position = (d: Deployment, list: string[]): number => {
  const i = list.indexOf(d.providerId);
  return i >= 0 ? i : list.indexOf(providerTypes.get(d.providerId) ?? '');
};

export function applyPrefs(ds: Deployment[], prefs: ProviderPrefs): { deployments: Deployment[]; reason: string } {
  let out = ds;
  const why: string[] = [];
  if (prefs.only) { out = out.filter((d) => named(d, prefs.only!)); why.push(`only ${prefs.only.join(',')}`); }
  if (prefs.ignore) { out = out.filter((d) => !named(d, prefs.ignore!)); why.push(`ignoring ${prefs.ignore.join(',')}`); }
  if (prefs.sort === 'price') {
    out = out.slice().sort((a, b) => blendedPrice(a) - blendedPrice(b));
    why.push('cheapest first');
  } else if (prefs.sort === 'latency' || prefs.sort === 'throughput') {
    // Unmeasured deployments go after measured ones, in their default order.
    const lat = (d: Deployment) => latencyBook.get(d.key) ?? Number.POSITIVE_INFINITY;
    out = out.slice().sort((a, b) => lat(a) - lat(b));
    why.push('fastest first');
  }
  if (prefs.order) {
    const order = prefs.order;
    const listed = out.filter((d) => named(d, order)).sort((a, b) => position(a, order) - position(b, order));
    out = prefs.allowFallbacks ? [...listed, ...out.filter((d) => !named(d, order))] : listed;
    why.push(`order ${order.join(',')}${prefs.allowFallbacks ? '' : ' only'}`);
  } else if (!prefs.allowFallbacks) {
    out = out.slice(0, 1);
    why.push('no fallbacks');
  }
  return { deployments: out, reason: `provider prefs: ${why.join('; ') || 'none'}` };
}

export function resolveCandidates(registry: Registry, chat: ChatRequest, _rctx: RouteContext): Candidates {
  const entry = registry.get(chat.model);
  if (!entry) {
    throw new GatewayError('model_not_found', `The model '${chat.model}' does not exist or is not configured on this gateway`, { param: 'model' });
  }
  const prefs = readProviderPrefs(chat.body);
  const deployments = defaultOrder(entry.deployments);
  const seen = new Set([entry.name]);
  for (const f of entry.fallbacks) {
    const fb = registry.get(f);
    if (fb && !seen.has(f)) { seen.add(f); deployments.push(...defaultOrder(fb.deployments)); }
  }
  // --- reliability: per-request fallbacks, OpenRouter-style `models: [...]` (tried after the model's own chain) ---
  const asked = chat.body.models;
  if (Array.isArray(asked)) {
    for (const f of asked) {
      const fb = typeof f === 'string' && !seen.has(f) ? registry.get(f) : undefined;
      if (fb) { seen.add(fb.name); deployments.push(...defaultOrder(fb.deployments)); }
    }
  }
  if (prefs) {
    const r = applyPrefs(deployments, prefs);
    if (!r.deployments.length) {
      throw new GatewayError('no_eligible_deployment', `The request's provider preferences leave no deployment of '${chat.model}' (it has: ${[...new Set(deployments.map((d) => d.providerId))].join(', ')})`, { param: 'provider' });
    }
    return r;
  }
  return { deployments, reason: deployments.length > 1 ? 'local first, then cheapest' : 'only deployment' };
}
