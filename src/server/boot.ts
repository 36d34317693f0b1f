/** Config → providers, registry, store, usage log and a gateway ready to listen. */
import { dirname, resolve } from 'node:path';
import type { Config, ModelConfig } from '../config/schema.js';
import { createProvider } from '../providers/presets/create-provider.js';
import { isPresetType } from '../providers/presets/presets.js';
import { availability, guardMissingModels } from '../providers/presets/availability.js';
import { timed } from '../providers/presets/timed-provider.js';
import { withoutEffortFor } from '../providers/presets/effort-guard.js';
import { latencyBook } from '../router/latency.js';
import { applyCatalog, catalogFor } from '../config/catalog.js';
import type { LocalProvider } from '../providers/local.js';
import type { Provider } from '../providers/provider.js';
import { Registry, type Locality } from '../router/registry.js';
import { SqliteUsageLog } from '../store/sqlite-usage-log.js';
import { SqliteWriter } from '../store/sqlite-writer.js';
import { SpendSink } from '../store/spend-sink.js';
import { createStore, type ComposedStore } from '../store/create-store.js';
import type { UsageRecord, UsageSink } from '../store/usage-record.js';
import { createGateway, type Gateway } from './app.js';
import { Reliability, attachReliability } from '../reliability/reliability.js';
import { HealthChecker } from '../reliability/health-check.js';

export interface BootOptions {
  config: Config;
  /** The config file's path: relative model paths resolve against its folder. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Overrides config.storage.sqlite_path. */
  sqlitePath?: string;
}

export interface Booted { gateway: Gateway; registry: Registry; store: ComposedStore; usage: UsageSink }

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');

// ---- presets and catalog (issue 3) ----------------------------------------------------------------
export interface BuiltProviders {
  providers: Map<string, Provider>;
  locality: Map<string, Locality>;
  /** The config's models with the catalog's merged in: what the registry should serve. */
  models: Config['models'];
}

// The harmony tokenizer (≈60 MB) and llama.cpp load only when a provider needs them.
export async function buildProviders(config: Config, env: NodeJS.ProcessEnv, baseDir = process.cwd()): Promise<BuiltProviders> {
  const merged = applyCatalog(config, catalogFor(config, baseDir));
  const nonReasoning = new Set<string>();
  for (const m of merged.models) for (const d of m.deployments) if (d.capabilities?.reasoning === false) nonReasoning.add(`${d.provider}/${d.model}`);
  // Catalog-added deployments the engine must list before use, and the providers that have them.
  const gated = new Set<string>();
  for (const i of merged.info.values()) {
    if (!i.needsListing) continue;
    gated.add(i.providerId);
    availability.gate(i.providerId, i.key.slice(i.providerId.length + 1));
  }
  const providers = new Map<string, Provider>();
  const locality = new Map<string, Locality>();
  for (const p of config.providers) {
    const apiKey = p.api_key ?? (p.api_key_env ? env[p.api_key_env] : undefined);
    if (p.type === 'local') {
      const { LocalProvider } = await import('../providers/local.js');
      providers.set(p.id, new LocalProvider({ id: p.id, type: 'local', models: p.models ?? [] }, { baseDir }));
      locality.set(p.id, p.locality ?? 'local');
      continue;
    }
    if (p.type === 'harmony-raw') {
      const baseUrl = p.base_url!;
      const { HarmonyRawProvider } = await import('../providers/harmony-raw.js');
      const h = p.harmony ?? {};
      providers.set(p.id, new HarmonyRawProvider({
        id: p.id, baseUrl, apiKey,
        currentDate: h.current_date === 'none' ? null : h.current_date,
        system: h.knowledge_cutoff ? { knowledgeCutoff: h.knowledge_cutoff } : undefined,
      }));
      locality.set(p.id, p.locality ?? (isLoopback(new URL(baseUrl).hostname) ? 'local' : 'cloud'));
      continue;
    }
    if (!isPresetType(p.type)) continue;
    const made = createProvider({ ...p, type: p.type }, env, {
      connectTimeoutMs: p.timeouts?.connect_ms ?? config.reliability?.timeouts?.connect_ms, // reliability
    });
    // Innermost first: effort stripped per deployment, latency measured, missing local models fail
    // over (a layer only providers with gated deployments need: each costs a promise per call).
    const measured = timed(withoutEffortFor(made.provider, nonReasoning), latencyBook);
    providers.set(p.id, gated.has(p.id) ? guardMissingModels(measured) : measured);
    locality.set(p.id, made.locality);
  }
  availability.start(providers);
  return { providers, locality, models: merged.models };
}
// ---- end presets and catalog -----------------------------------------------------------------------

/** Local models are served under their own name unless the config's `models` already routes them. */
export function withLocalModels(config: Config): Config {
  const named = new Set(config.models.map((m) => m.name));
  const extra: ModelConfig[] = [];
  for (const p of config.providers) {
    if (p.type !== 'local') continue;
    for (const m of p.models ?? []) {
      if (!named.has(m.name)) extra.push({ name: m.name, deployments: [{ provider: p.id, model: m.name, locality: 'local' }] });
    }
  }
  return extra.length ? { ...config, models: [...config.models, ...extra] } : config;
}

class FanoutSink implements UsageSink {
  constructor(private readonly sinks: UsageSink[]) {}
  push(r: UsageRecord): void { for (const s of this.sinks) s.push(r); }
  async flush(): Promise<void> { await Promise.all(this.sinks.map((s) => s.flush())); }
  async close(): Promise<void> { await Promise.all(this.sinks.map((s) => s.close())); }
}

export async function boot(opts: BootOptions): Promise<Booted> {
  const env = opts.env ?? process.env;
  const config = withLocalModels(opts.config);
  const baseDir = opts.configPath ? dirname(resolve(opts.configPath)) : process.cwd();
  const { providers, locality, models } = await buildProviders(config, env, baseDir);
  const isLocal = (p: Provider): p is LocalProvider => config.providers.some((c) => c.id === p.id && c.type === 'local');
  // A bad model path is a start-up error naming the path, not a failure on the first request.
  for (const p of providers.values()) if (isLocal(p)) await p.validate();
  const registry = new Registry(providers, { ...config, models }, locality);
  const localRequestCost = registry.models.size && [...providers.values()].some(isLocal) ? (await import('../local/pricing.js')).localRequestCost : null;
  for (const entry of registry.models.values()) {
    for (const d of entry.deployments) {
      if (!isLocal(d.provider) || !localRequestCost) continue;
      const lp = d.provider;
      const mc = lp.modelConfig(d.upstreamModel);
      if (mc && (mc.price || mc.cost_per_hour)) d.costOf = (usage, ms) => localRequestCost(mc, usage, ms);
    }
  }

  const st = config.storage ?? {};
  const postgresUrl = st.postgres_url_env ? env[st.postgres_url_env] : undefined;
  const redisUrl = st.redis_url_env ? env[st.redis_url_env] : undefined;
  if (st.postgres_url_env && !postgresUrl) throw new Error(`storage.postgres_url_env: environment variable ${st.postgres_url_env} is not set`);
  if (st.redis_url_env && !postgresUrl) throw new Error('storage.redis_url_env needs storage.postgres_url_env too (keys and spend live in Postgres)');
  // Without this, a missing variable would quietly run rate limits per process instead of shared.
  if (st.redis_url_env && !redisUrl) throw new Error(`storage.redis_url_env: environment variable ${st.redis_url_env} is not set`);
  const sqlitePath = opts.sqlitePath ?? st.sqlite_path ?? './data/switchyard.db';
  // A database file is written by a thread of its own (request log, spend, WAL checkpoints), never
  // on the request path; the store's own connection leaves checkpoints to that thread.
  const writer = postgresUrl || sqlitePath === ':memory:' ? null
    : SqliteWriter.start({ path: sqlitePath, flushIntervalMs: st.flush_interval_ms, maxQueue: st.max_queue });
  const store = postgresUrl ? await createStore({ postgresUrl, redisUrl, redisPrefix: st.redis_prefix }) : await createStore({ sqlitePath, checkpointer: writer });
  const usage: UsageSink = writer ?? new FanoutSink([
    store.pgPool
      ? new (await import('../store/postgres-usage-log.js')).PostgresUsageLog({ pool: store.pgPool, maxQueue: st.max_queue })
      : SqliteUsageLog.open({ path: sqlitePath, flushIntervalMs: st.flush_interval_ms, maxQueue: st.max_queue }),
    new SpendSink(store.spend),
  ]);

  const reliability = new Reliability({ config });
  attachReliability(registry, reliability); // cascade and other execute.ts callers share its state
  const hc = config.reliability?.health_check;
  const health = new HealthChecker({ registry, reliability, intervalMs: hc?.interval_ms ?? 10_000, timeoutMs: hc?.timeout_ms ?? 2_000 });
  if (hc?.enabled !== false) health.start();

  const masterKeyEnv = config.server?.master_key_env ?? 'SWITCHYARD_MASTER_KEY';
  const gateway = createGateway({
    registry,
    usage,
    store,
    maxBodyBytes: config.server?.max_body_bytes,
    masterKey: env[masterKeyEnv] || undefined,
    reasoning: config.server?.reasoning,
    cacheTtlSeconds: config.server?.cache_ttl_seconds,
    streamCoalesceMs: config.server?.stream_coalesce_ms,
    reliability,
    clientHeadersTimeoutMs: config.reliability?.client?.headers_timeout_ms,
    clientRequestTimeoutMs: config.reliability?.client?.request_timeout_ms,
    onClose: async () => { health.stop(); await store.close(); },
  });
  return { gateway, registry, store, usage };
}
