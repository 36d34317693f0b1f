/**
 * Which deployments may serve a request, in the order to try them, and why:
 * resolve the name (resolve.ts), then drop what cannot or may not serve it (filters.ts).
 */
import type { ChatRequest } from '../core/types.js';
import type { Deployment, Registry } from './registry.js';
import { resolveCandidates } from './resolve.js';
import { filterCandidates } from './filters.js';
import type { RouteContext } from './route-context.js';

export interface RoutePlan {
  deployments: Deployment[];
  /** Human-readable reason, sent as x-switchyard-route and logged. */
  reason: string;
  /** Extra facts for the request log (JSON-serializable; kinds of data found, never values). */
  meta?: Record<string, unknown>;
  /** Extra response headers describing the decision (estimated cost, saving, …). */
  headers?: Record<string, string>;
}

export function planRoute(registry: Registry, chat: ChatRequest, rctx: RouteContext): RoutePlan {
  const c = resolveCandidates(registry, chat, rctx);
  return { deployments: filterCandidates(c.deployments, chat, rctx), reason: c.reason };
}
