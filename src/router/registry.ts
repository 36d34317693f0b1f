/**
 * Model names → deployments, built once from the validated config. Routing chooses among the
 * deployments; this file only knows what exists.
 */
import type { Config, DeploymentConfig } from '../config/schema.js';
import type { Provider } from '../providers/provider.js';
import type { PriceTable } from '../core/cost.js';
import type { Usage } from '../core/types.js';

export type Locality = 'local' | 'on-prem' | 'cloud';

export interface Deployment {
  /** `provider/model`, unique, used in logs and headers. */
  key: string;
  modelName: string;
  provider: Provider;
  providerId: string;
  upstreamModel: string;
  price?: PriceTable;
  contextWindow?: number;
  capabilities: { tools?: boolean; vision?: boolean; reasoning?: boolean; json_mode?: boolean };
  locality: Locality;
  weight: number;
  extraBody?: Record<string, unknown>;
  /** Pricing that depends on more than tokens (local hardware priced per hour); overrides `price`. */
  costOf?: (usage: Usage, durationMs: number) => number;
}

export interface ModelEntry {
  name: string;
  deployments: Deployment[];
  fallbacks: string[];
  created: number;
}

export class Registry {
  readonly models = new Map<string, ModelEntry>();

  constructor(readonly providers: Map<string, Provider>, config: Config, providerLocality: Map<string, Locality>) {
    const created = Math.floor(Date.now() / 1000);
    for (const m of config.models) {
      this.models.set(m.name, {
        name: m.name,
        fallbacks: m.fallbacks ?? [],
        created,
        deployments: m.deployments.map((d: DeploymentConfig) => ({
          key: `${d.provider}/${d.model}`,
          modelName: m.name,
          provider: providers.get(d.provider)!,
          providerId: d.provider,
          upstreamModel: d.model,
          price: d.price,
          contextWindow: d.context_window,
          capabilities: d.capabilities ?? {},
          locality: d.locality ?? providerLocality.get(d.provider) ?? 'cloud',
          weight: d.weight ?? 1,
          extraBody: d.extra_body,
        })),
      });
    }
  }

  get(name: string): ModelEntry | undefined {
    return this.models.get(name);
  }
}
