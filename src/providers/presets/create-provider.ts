/** A configured provider entry → a Provider, with the preset's defaults filled in. */
import type { ProviderConfig } from '../../config/schema.js';
import { OpenAICompatibleProvider } from '../openai-compatible.js';
import { OllamaProvider } from '../ollama.js';
import type { Provider } from '../provider.js';
import { PRESETS, type Preset, type PresetType } from './presets.js';

/** A configured provider whose type is a preset (not `local` or `harmony-raw`). */
export type PresetProviderConfig = ProviderConfig & { type: PresetType };

export interface ResolvedProvider {
  provider: Provider;
  preset: Preset;
  baseUrl: string;
  locality: 'local' | 'on-prem' | 'cloud';
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}

/**
 * Provider id → preset type, for routing preferences that name a type (`provider: {only: ['groq']}`).
 * Filled as providers are built; ids are unique per config.
 */
export const providerTypes = new Map<string, string>();

export interface CreateOptions {
  /** Time allowed to open a connection (reliability settings); OpenAI-compatible presets only. */
  connectTimeoutMs?: number;
}

export function createProvider(p: PresetProviderConfig, env: NodeJS.ProcessEnv, opts: CreateOptions = {}): ResolvedProvider {
  const preset = PRESETS[p.type];
  const baseUrl = p.base_url ?? preset.baseUrl;
  if (!baseUrl) throw new Error(`provider ${p.id}: base_url is required for type ${p.type}`);
  const keyEnv = p.api_key_env ?? preset.keyEnv;
  const apiKey = p.api_key ?? (keyEnv ? env[keyEnv] : undefined);
  const headers = preset.headers ? { ...preset.headers, ...p.headers } : p.headers;
  const common = { id: p.id, baseUrl, apiKey: apiKey || undefined, headers, timeoutMs: p.timeout_ms, maxConnections: p.max_connections };
  const provider: Provider = p.type === 'ollama'
    ? new OllamaProvider(common)
    : new OpenAICompatibleProvider({ ...common, dialect: preset.dialect, connectTimeoutMs: opts.connectTimeoutMs });
  // A base URL on this machine is local whatever the type; a local engine elsewhere is on-prem.
  const locality = p.locality ?? (isLoopback(baseUrl) ? 'local' : preset.locality === 'local' ? 'on-prem' : 'cloud');
  providerTypes.set(p.id, p.type);
  return { provider, preset, baseUrl, locality };
}
