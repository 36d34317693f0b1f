/**
 * Built-in defaults for `switchyard serve` without --config: cloud providers whose key is in the
 * environment, and local engines answering on their usual ports. Everything found is reported,
 * and so is how to add more.
 */
import type { Config, ProviderConfig } from './schema.js';

interface KnownCloud { id: string; env: string; baseUrl: string; models: Record<string, string> }

// Upstream ids of the seed models where each vendor serves them (checked 2026-11).
const CLOUDS: KnownCloud[] = [
  { id: 'openrouter', env: 'OPENROUTER_API_KEY', baseUrl: 'https://openrouter.ai/api/v1', models: { 'gpt-oss-120b': 'openai/gpt-oss-120b', 'gpt-oss-20b': 'openai/gpt-oss-20b', 'kimi-k2': 'moonshotai/kimi-k2', 'qwen2.5-72b-instruct': 'qwen/qwen-2.5-72b-instruct', 'glm-4.5': 'z-ai/glm-4.5' } },
  { id: 'groq', env: 'GROQ_API_KEY', baseUrl: 'https://api.groq.com/openai/v1', models: { 'gpt-oss-120b': 'openai/gpt-oss-120b', 'gpt-oss-20b': 'openai/gpt-oss-20b', 'kimi-k2': 'moonshotai/kimi-k2-instruct' } },
  { id: 'together', env: 'TOGETHER_API_KEY', baseUrl: 'https://api.together.xyz/v1', models: { 'gpt-oss-120b': 'openai/gpt-oss-120b', 'gpt-oss-20b': 'openai/gpt-oss-20b', 'kimi-k2': 'moonshotai/Kimi-K2-Instruct', 'qwen2.5-72b-instruct': 'Qwen/Qwen2.5-72B-Instruct-Turbo' } },
  { id: 'fireworks', env: 'FIREWORKS_API_KEY', baseUrl: 'https://api.fireworks.ai/inference/v1', models: { 'gpt-oss-120b': 'accounts/fireworks/models/gpt-oss-120b', 'gpt-oss-20b': 'accounts/fireworks/models/gpt-oss-20b' } },
  { id: 'deepinfra', env: 'DEEPINFRA_API_KEY', baseUrl: 'https://api.deepinfra.com/v1/openai', models: { 'gpt-oss-120b': 'openai/gpt-oss-120b', 'gpt-oss-20b': 'openai/gpt-oss-20b' } },
  { id: 'cerebras', env: 'CEREBRAS_API_KEY', baseUrl: 'https://api.cerebras.ai/v1', models: { 'gpt-oss-120b': 'gpt-oss-120b' } },
];

const LOCAL_ENGINES = [
  { id: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' },
  { id: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1' },
  { id: 'llamacpp', baseUrl: 'http://127.0.0.1:8080/v1' },
  { id: 'lmstudio', baseUrl: 'http://127.0.0.1:1234/v1' },
];

async function probeModels(baseUrl: string, timeoutMs: number): Promise<string[] | null> {
  try {
    const res = await fetch(`${baseUrl}/models`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    const j = (await res.json()) as { data?: Array<{ id?: unknown }> };
    return Array.isArray(j.data) ? j.data.map((m) => String(m.id)).filter(Boolean) : null;
  } catch {
    return null;
  }
}

export interface Discovery { config: Config; report: string[] }

export async function discoverDefaults(env: NodeJS.ProcessEnv = process.env, probeTimeoutMs = 400): Promise<Discovery> {
  const providers: ProviderConfig[] = [];
  const models = new Map<string, Config['models'][number]>();
  const report: string[] = [];
  const add = (name: string, provider: string, upstream: string) => {
    const m = models.get(name) ?? { name, deployments: [] };
    m.deployments.push({ provider, model: upstream });
    models.set(name, m);
  };

  const locals = await Promise.all(LOCAL_ENGINES.map(async (e) => ({ e, ids: await probeModels(e.baseUrl, probeTimeoutMs) })));
  for (const { e, ids } of locals) {
    if (!ids) continue;
    providers.push({ id: e.id, type: 'openai-compatible', base_url: e.baseUrl, locality: 'local' });
    for (const id of ids) add(id, e.id, id);
    report.push(`found local engine ${e.id} at ${e.baseUrl} with ${ids.length} model(s)${ids.length ? `: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}` : ''}`);
  }
  for (const c of CLOUDS) {
    if (!env[c.env]) continue;
    providers.push({ id: c.id, type: 'openai-compatible', base_url: c.baseUrl, api_key_env: c.env, locality: 'cloud' });
    for (const [name, upstream] of Object.entries(c.models)) add(name, c.id, upstream);
    report.push(`found ${c.env}: provider ${c.id} with ${Object.keys(c.models).length} seed model(s)`);
  }
  if (!report.length) report.push('no providers found: no local engine answered and no provider key is set');
  report.push(`to add more: set a key (${CLOUDS.map((c) => c.env).join(', ')}), start a local engine (Ollama :11434, vLLM :8000, llama.cpp :8080, LM Studio :1234), or pass --config FILE (see docs/config.md)`);
  return { config: { providers, models: [...models.values()] }, report };
}
