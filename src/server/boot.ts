/** Config → providers, registry, usage log and a listening gateway. */
import type { Config } from '../config/schema.js';
import { createProvider } from '../providers/presets/create-provider.js';
import { availability, guardMissingModels } from '../providers/presets/availability.js';
import { timed } from '../providers/presets/timed-provider.js';
import { withoutEffortFor } from '../providers/presets/effort-guard.js';
import { latencyBook } from '../router/latency.js';
import { applyCatalog, catalogFor } from '../config/catalog.js';
import type { Provider } from '../providers/provider.js';
import { Registry, type Locality } from '../router/registry.js';
import { SqliteUsageLog } from '../store/sqlite-usage-log.js';
import { createGateway, type Gateway } from './app.js';

export interface BootOptions {
  config: Config;
  env?: NodeJS.ProcessEnv;
  /** Overrides config.storage.sqlite_path. */
  sqlitePath?: string;
}

export interface Booted { gateway: Gateway; registry: Registry; usage: SqliteUsageLog }

// ---- presets and catalog (issue 3): keep changes inside this block -------------------------------
export interface BuiltProviders {
  providers: Map<string, Provider>;
  locality: Map<string, Locality>;
  /** The config's models with the catalog's merged in: what the registry should serve. */
  models: Config['models'];
}

export function buildProviders(config: Config, env: NodeJS.ProcessEnv): BuiltProviders {
  const merged = applyCatalog(config, catalogFor(config));
  const nonReasoning = new Set<string>();
  for (const m of merged.models) for (const d of m.deployments) if (d.capabilities?.reasoning === false) nonReasoning.add(`${d.provider}/${d.model}`);
  const providers = new Map<string, Provider>();
  const locality = new Map<string, Locality>();
  for (const p of config.providers) {
    const made = createProvider(p, env);
    // Innermost first: effort stripped per deployment, latency measured, missing local models fail over.
    providers.set(p.id, guardMissingModels(timed(withoutEffortFor(made.provider, nonReasoning), latencyBook)));
    locality.set(p.id, made.locality);
  }
  for (const i of merged.info.values()) if (i.needsListing) availability.gate(i.providerId, i.key.slice(i.providerId.length + 1));
  availability.start(providers);
  return { providers, locality, models: merged.models };
}
// ---- end presets and catalog -----------------------------------------------------------------------

export function boot(opts: BootOptions): Booted {
  const env = opts.env ?? process.env;
  const { config } = opts;
  const { providers, locality, models } = buildProviders(config, env);
  const registry = new Registry(providers, { ...config, models }, locality);
  const usage = SqliteUsageLog.open({
    path: opts.sqlitePath ?? config.storage?.sqlite_path ?? './data/switchyard.db',
    flushIntervalMs: config.storage?.flush_interval_ms,
    maxQueue: config.storage?.max_queue,
  });
  const masterKeyEnv = config.server?.master_key_env ?? 'SWITCHYARD_MASTER_KEY';
  const gateway = createGateway({
    registry,
    usage,
    maxBodyBytes: config.server?.max_body_bytes,
    masterKey: env[masterKeyEnv] || undefined,
  });
  return { gateway, registry, usage };
}
