/** Config → providers, registry, usage log and a listening gateway. */
import type { Config } from '../config/schema.js';
import { OpenAICompatibleProvider } from '../providers/openai-compatible.js';
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

export function buildProviders(config: Config, env: NodeJS.ProcessEnv): { providers: Map<string, Provider>; locality: Map<string, Locality> } {
  const providers = new Map<string, Provider>();
  const locality = new Map<string, Locality>();
  for (const p of config.providers) {
    const apiKey = p.api_key ?? (p.api_key_env ? env[p.api_key_env] : undefined);
    providers.set(p.id, new OpenAICompatibleProvider({
      id: p.id, baseUrl: p.base_url, apiKey, headers: p.headers, timeoutMs: p.timeout_ms, maxConnections: p.max_connections,
    }));
    const host = new URL(p.base_url).hostname;
    const isLoopback = host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
    locality.set(p.id, p.locality ?? (isLoopback ? 'local' : 'cloud'));
  }
  return { providers, locality };
}

export function boot(opts: BootOptions): Booted {
  const env = opts.env ?? process.env;
  const { config } = opts;
  const { providers, locality } = buildProviders(config, env);
  const registry = new Registry(providers, config, locality);
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
