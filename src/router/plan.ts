/**
 * Which deployments may serve a request, in the order to try them, and why: a virtual model
 * chooses among its candidates (virtual.ts); a plain name resolves to its deployments
 * (resolve.ts); then what cannot or may not serve it is dropped (filters.ts, privacy-route.ts).
 */
import type { ChatRequest } from '../core/types.js';
import type { Deployment, Registry } from './registry.js';
import { resolveCandidates } from './resolve.js';
import { filterCandidates } from './filters.js';
import { applyPrivacy } from './privacy-route.js';
import type { RouteContext } from './route-context.js';
import { routeVirtual, type CascadePlan } from './virtual.js';

export interface RoutePlan {
  deployments: Deployment[];
  /** Human-readable reason, sent as x-switchyard-route and logged. */
  reason: string;
  /** Extra facts for the request log (JSON-serializable; kinds of data found, never values). */
  meta?: Record<string, unknown>;
  /** Extra response headers describing the decision (estimated cost, saving, …). */
  headers?: Record<string, string>;
  /** Set when a cascade virtual model decided: try `reflex`, check, escalate to `thinking`. */
  cascade?: CascadePlan;
}

/** The plan: at once for a plain model name (most requests), a promise for a virtual model (its router may wait). */
export function planRoute(registry: Registry, chat: ChatRequest, rctx: RouteContext): RoutePlan | Promise<RoutePlan> {
  if (registry.virtual.has(chat.model)) {
    return routeVirtual(registry, chat, rctx).then((v) => v
      ? narrow(registry, chat, rctx, { deployments: v.deployments, reason: v.reason, meta: { route: v.meta }, headers: v.headers, cascade: v.cascade })
      : plainPlan(registry, chat, rctx));
  }
  return plainPlan(registry, chat, rctx);
}

function plainPlan(registry: Registry, chat: ChatRequest, rctx: RouteContext): RoutePlan {
  const c = resolveCandidates(registry, chat, rctx);
  return narrow(registry, chat, rctx, { deployments: c.deployments, reason: c.reason });
}

/** Drops what cannot or may not serve the request (filters, then privacy). */
function narrow(registry: Registry, chat: ChatRequest, rctx: RouteContext, plan: RoutePlan): RoutePlan {
  plan.deployments = filterCandidates(plan.deployments, chat, rctx);
  const privacy = applyPrivacy(plan.deployments, chat, registry.routing.privacy);
  plan.deployments = privacy.deployments;
  if (privacy.meta) {
    plan.meta = { ...plan.meta, privacy: privacy.meta };
    if (privacy.meta.sensitive) {
      plan.reason += `; personal data (${privacy.meta.kinds?.join(', ')}) -> local/on-prem only`;
      if (plan.cascade) {
        const keep = new Set(plan.deployments);
        plan.cascade = { ...plan.cascade, reflex: plan.cascade.reflex.filter((d) => keep.has(d)), thinking: plan.cascade.thinking.filter((d) => keep.has(d)) };
        if (!plan.cascade.reflex.length || !plan.cascade.thinking.length) plan.cascade = undefined;
      }
    }
  }
  return plan;
}
