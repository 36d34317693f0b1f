/**
 * Privacy routing: a request that carries personal or medical data may only go to deployments
 * on the user's own hardware (locality local / on-prem) or providers the config explicitly
 * allows. If none is left the request fails (503 no_eligible_deployment); it is never sent
 * elsewhere. Only the kinds of data found are logged, never the values.
 */
import { GatewayError } from '../core/errors.js';
import type { ChatRequest, Role } from '../core/types.js';
import type { RoutingConfig } from '../config/schema.js';
import { scanMessages } from './privacy/scan.js';
import type { Deployment } from './registry.js';

const DEFAULT_ROLES: readonly Role[] = ['user', 'assistant', 'tool'];

export interface PrivacyDecision {
  deployments: Deployment[];
  meta: { sensitive: boolean; kinds?: string[]; kept?: number; dropped?: number } | null;
}

const onOwnHardware = (d: Deployment, allowed: Set<string>) => d.locality === 'local' || d.locality === 'on-prem' || allowed.has(d.providerId);

export function applyPrivacy(deployments: Deployment[], chat: ChatRequest, cfg: RoutingConfig['privacy']): PrivacyDecision {
  if (cfg?.mode === 'off') return { deployments, meta: null };
  const allowed = new Set(cfg?.allow_providers ?? []);
  // Nothing to decide when every candidate may receive personal data anyway: skip the scan.
  if (deployments.every((d) => onOwnHardware(d, allowed))) return { deployments, meta: null };
  const found = scanMessages(chat.messages, { roles: cfg?.roles ?? DEFAULT_ROLES });
  if (!found.sensitive) return { deployments, meta: { sensitive: false } };
  const kept = deployments.filter((d) => onOwnHardware(d, allowed));
  if (!kept.length) {
    throw new GatewayError('no_eligible_deployment',
      `This request contains personal data (${found.types.join(', ')}) and may only be served on local or on-prem deployments; '${chat.model}' has none. ` +
      'Add a local deployment, or list a provider you trust under routing.privacy.allow_providers.');
  }
  return { deployments: kept, meta: { sensitive: true, kinds: found.types, kept: kept.length, dropped: deployments.length - kept.length } };
}
