/**
 * Model names → deployments, built once from the validated config. Routing chooses among the
 * deployments; this file only knows what exists.
 */
import type { Config, DeploymentConfig, RoutingConfig, VirtualModelConfig } from '../config/schema.js';
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
  /** `languages`: ISO 639-1 codes the model serves well; empty or absent means any (router/language.ts). */
  capabilities: { tools?: boolean; vision?: boolean; reasoning?: boolean; json_mode?: boolean; languages?: string[] };
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

export interface VirtualModel {
  name: string;
  mode: 'learned' | 'cascade' | 'order';
  candidates: Array<{ model: string; tier: 'reflex' | 'thinking' }>;
  quality?: number;
  threshold?: number;
  maxCostUsd?: number;
  cascade?: VirtualModelConfig['cascade'];
  /** True for the `auto` model the gateway made up because the config declared none. */
  builtIn: boolean;
}

/** Dearest output price among a model's deployments: how tiers are guessed when not given. */
const outputPrice = (m: ModelEntry): number => Math.max(0, ...m.deployments.map((d) => d.price?.output ?? 0));

export class Registry {
  readonly models = new Map<string, ModelEntry>();
  readonly virtual = new Map<string, VirtualModel>();
  readonly routing: RoutingConfig;

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
    this.routing = config.routing ?? {};
    for (const v of this.routing.virtual_models ?? []) {
      const entries = v.candidates.map((c) => this.models.get(c.model)!);
      const top = Math.max(...entries.map(outputPrice));
      this.virtual.set(v.name, {
        name: v.name,
        mode: v.mode ?? 'learned',
        candidates: v.candidates.map((c, i) => ({ model: c.model, tier: c.tier ?? (entries.length > 1 && outputPrice(entries[i]) === top ? 'thinking' : 'reflex') })),
        quality: v.quality,
        threshold: v.threshold,
        maxCostUsd: v.max_cost_usd,
        cascade: v.cascade,
        builtIn: false,
      });
    }
    // `auto` is built in: every configured model, the dearest as thinking, the rest as reflex.
    if (!this.virtual.has('auto') && !this.models.has('auto') && this.models.size > 0) {
      const entries = [...this.models.values()];
      const top = Math.max(...entries.map(outputPrice));
      this.virtual.set('auto', {
        name: 'auto',
        mode: 'learned',
        candidates: entries.map((m) => ({ model: m.name, tier: entries.length > 1 && outputPrice(m) === top ? 'thinking' : 'reflex' })),
        builtIn: true,
      });
    }
  }

  get(name: string): ModelEntry | undefined {
    return this.models.get(name);
  }
}
