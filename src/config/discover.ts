/**
 * Built-in defaults for `switchyard serve` without --config: cloud providers whose key is in the
 * environment, and local engines answering on their usual ports, each as its preset (so dialects
 * and the model catalog apply). Everything found is reported, and so is how to add more.
 */
import type { Config, ProviderConfig } from './schema.js';
import { PRESETS, type PresetType } from '../providers/presets/presets.js';
import { loadCatalog } from './catalog.js';

const CLOUDS: PresetType[] = ['openrouter', 'groq', 'together', 'fireworks', 'deepinfra', 'cerebras', 'moonshot', 'zai', 'dashscope'];

// Where each local engine answers OpenAI's model list (Ollama's preset URL is its native root).
const LOCAL_ENGINES: Array<{ type: PresetType; listUrl: string }> = [
  { type: 'ollama', listUrl: 'http://127.0.0.1:11434/v1' },
  { type: 'vllm', listUrl: 'http://127.0.0.1:8000/v1' },
  { type: 'llamacpp', listUrl: 'http://127.0.0.1:8080/v1' },
  { type: 'lmstudio', listUrl: 'http://127.0.0.1:1234/v1' },
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
  const catalogNames = new Set(loadCatalog().models.map((m) => m.name));

  const locals = await Promise.all(LOCAL_ENGINES.map(async (e) => ({ e, ids: await probeModels(e.listUrl, probeTimeoutMs) })));
  for (const { e, ids } of locals) {
    if (!ids) continue;
    providers.push({ id: e.type, type: e.type, locality: 'local' });
    // Every model the engine has is served under its own id; a catalog name is left to the catalog,
    // which adds this engine beside the cloud deployments instead of replacing them.
    for (const id of ids) if (!models.has(id) && !catalogNames.has(id)) models.set(id, { name: id, deployments: [{ provider: e.type, model: id }] });
    report.push(`found local engine ${e.type} at ${PRESETS[e.type].baseUrl} with ${ids.length} model(s)${ids.length ? `: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}` : ''}`);
  }
  for (const t of CLOUDS) {
    const keyEnv = PRESETS[t].keyEnv!;
    if (!env[keyEnv]) continue;
    providers.push({ id: t, type: t, locality: 'cloud' });
    report.push(`found ${keyEnv}: provider ${t} (the catalog's models it serves are available)`);
  }
  if (!report.length) report.push('no providers found: no local engine answered and no provider key is set');
  report.push(`to add more: set a key (${CLOUDS.map((t) => PRESETS[t].keyEnv).join(', ')}), start a local engine (Ollama :11434, vLLM :8000, llama.cpp :8080, LM Studio :1234), or pass --config FILE (see docs/config.md)`);
  return { config: { providers, models: [...models.values()] }, report };
}
