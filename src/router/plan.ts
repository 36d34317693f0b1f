/**
 * Which deployments may serve a request, in the order to try them, and why. Capability and
 * context filters live here so every routing mode shares them.
 */
import { GatewayError } from '../core/errors.js';
import type { ChatRequest } from '../core/types.js';
import type { Deployment, Registry } from './registry.js';

export interface RoutePlan {
  deployments: Deployment[];
  reason: string;
}

export function planRoute(registry: Registry, chat: ChatRequest): RoutePlan {
  const entry = registry.get(chat.model);
  if (!entry) {
    throw new GatewayError('model_not_found', `The model '${chat.model}' does not exist or is not configured on this gateway`, { param: 'model' });
  }
  let deployments = entry.deployments.slice();
  const seen = new Set([entry.name]);
  for (const f of entry.fallbacks) {
    const fb = registry.get(f);
    if (fb && !seen.has(f)) { seen.add(f); deployments.push(...fb.deployments); }
  }
  if (chat.hasImages) {
    deployments = deployments.filter((d) => d.capabilities.vision !== false);
    if (!deployments.length) throw new GatewayError('unsupported_content', `The model '${chat.model}' does not accept images`, { param: 'messages' });
  }
  return { deployments, reason: deployments.length > 1 ? 'configured order' : 'only deployment' };
}
