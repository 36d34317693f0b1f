/**
 * A model name → its candidate deployments, in the order to try them: the model's own
 * deployments, then those of its configured fallback models.
 */
import { GatewayError } from '../core/errors.js';
import type { ChatRequest } from '../core/types.js';
import type { Deployment, Registry } from './registry.js';
import type { RouteContext } from './route-context.js';

export interface Candidates { deployments: Deployment[]; reason: string }

export function resolveCandidates(registry: Registry, chat: ChatRequest, _rctx: RouteContext): Candidates {
  const entry = registry.get(chat.model);
  if (!entry) {
    throw new GatewayError('model_not_found', `The model '${chat.model}' does not exist or is not configured on this gateway`, { param: 'model' });
  }
  const deployments = entry.deployments.slice();
  const seen = new Set([entry.name]);
  for (const f of entry.fallbacks) {
    const fb = registry.get(f);
    if (fb && !seen.has(f)) { seen.add(f); deployments.push(...fb.deployments); }
  }
  // --- reliability: per-request fallbacks, OpenRouter-style `models: [...]` (tried after the model's own chain) ---
  const asked = chat.body.models;
  if (Array.isArray(asked)) {
    for (const f of asked) {
      const fb = typeof f === 'string' && !seen.has(f) ? registry.get(f) : undefined;
      if (fb) { seen.add(fb.name); deployments.push(...fb.deployments); }
    }
  }
  // --- end reliability ---
  return { deployments, reason: deployments.length > 1 ? 'configured order' : 'only deployment' };
}
