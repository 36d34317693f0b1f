/**
 * Drops deployments that cannot or may not serve a request. Each filter that empties the list
 * fails with the error that names why, so clients see the real reason, not a generic 503.
 */
import { GatewayError } from '../core/errors.js';
import type { ChatRequest } from '../core/types.js';
import type { Deployment } from './registry.js';
import type { RouteContext } from './route-context.js';
import { availability } from '../providers/presets/availability.js';
import { promptSize } from './prompt-tokens.js';

export function filterCandidates(deployments: Deployment[], chat: ChatRequest, rctx: RouteContext): Deployment[] {
  let out = deployments.filter((d) => availability.usable(d.key));
  if (!out.length) {
    throw new GatewayError('no_eligible_deployment', `No deployment of '${chat.model}' is available right now: its local engines do not list it (${deployments.map((d) => d.key).join(', ')})`);
  }
  if (chat.hasImages) {
    // Unknown capability (a config entry that says nothing) is left to the upstream to judge.
    out = out.filter((d) => d.capabilities.vision !== false);
    if (!out.length) throw new GatewayError('unsupported_content', `The model '${chat.model}' does not accept images; use a vision model such as qwen2.5-vl-7b-instruct`, { param: 'messages' });
  }
  if (chat.hasTools) {
    out = out.filter((d) => d.capabilities.tools !== false);
    if (!out.length) throw new GatewayError('unsupported_content', `The model '${chat.model}' does not support tool calls`, { param: 'tools' });
  }
  out = fitContext(out, chat);
  if (rctx.key?.localOnly) {
    out = out.filter((d) => d.locality === 'local' || d.locality === 'on-prem');
    if (!out.length) throw new GatewayError('no_eligible_deployment', `This key may only use local or on-prem deployments, and '${chat.model}' has none`);
  }
  return out;
}

/** A prompt longer than a deployment's context window never reaches that deployment. */
function fitContext(ds: Deployment[], chat: ChatRequest): Deployment[] {
  let smallest = Number.POSITIVE_INFINITY;
  for (const d of ds) if (d.contextWindow && d.contextWindow < smallest) smallest = d.contextWindow;
  if (smallest === Number.POSITIVE_INFINITY) return ds;
  const size = promptSize(chat, smallest);
  const fit = ds.filter((d) => !d.contextWindow || size.tokens <= d.contextWindow);
  if (!fit.length) {
    const largest = Math.max(...ds.map((d) => d.contextWindow ?? 0));
    throw new GatewayError('context_length_exceeded',
      `The prompt is about ${size.tokens} tokens, more than the context window of every deployment of '${chat.model}' (largest: ${largest})`, { param: 'messages' });
  }
  return fit;
}
