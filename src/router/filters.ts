/**
 * Drops deployments that cannot or may not serve a request. Each filter that empties the list
 * fails with the error that names why, so clients see the real reason, not a generic 503.
 */
import { GatewayError } from '../core/errors.js';
import type { ChatRequest } from '../core/types.js';
import type { Deployment } from './registry.js';
import type { RouteContext } from './route-context.js';

export function filterCandidates(deployments: Deployment[], chat: ChatRequest, rctx: RouteContext): Deployment[] {
  let out = deployments;
  if (chat.hasImages) {
    out = out.filter((d) => d.capabilities.vision !== false);
    if (!out.length) throw new GatewayError('unsupported_content', `The model '${chat.model}' does not accept images`, { param: 'messages' });
  }
  if (rctx.key?.localOnly) {
    out = out.filter((d) => d.locality === 'local' || d.locality === 'on-prem');
    if (!out.length) throw new GatewayError('no_eligible_deployment', `This key may only use local or on-prem deployments, and '${chat.model}' has none`);
  }
  return out;
}
