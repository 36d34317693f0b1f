/**
 * `switchyard models`: every model the gateway would serve, each deployment with where it runs,
 * whether its provider can be reached right now (each provider's model list, probed in parallel
 * with a short timeout), its price and its context window.
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { discoverDefaults } from '../config/discover.js';
import { applyCatalog, catalogFor, type CatalogDeploymentInfo } from '../config/catalog.js';
import type { Config } from '../config/schema.js';
import { createProvider } from '../providers/presets/create-provider.js';
import { listed } from '../providers/presets/availability.js';
import { PRESETS, isPresetType } from '../providers/presets/presets.js';
import type { Provider } from '../providers/provider.js';
import { withLocalModels } from '../server/boot.js';
import type { CliIO } from './io.js';

const HELP = `usage: switchyard models [--config FILE] [--json] [--timeout-ms N]

Lists each model with its deployments: provider, upstream id, local or cloud, whether it is
reachable now, price (USD per million input/output tokens) and context window. Without
--config, providers are discovered like 'switchyard serve' does.
`;

export interface DeploymentRow {
  provider: string;
  type: string;
  upstream: string;
  locality: string;
  region?: string;
  /** `yes`, `not listed` (engine answers, model absent), `unknown` (no list to ask), or why not. */
  reachable: string;
  price?: { input: number; output: number; cached?: number };
  priceChecked?: string;
  priceSource?: string;
  contextWindow?: number;
  capabilities: Record<string, boolean | string[] | undefined>;
}

export interface ModelRow { model: string; deployments: DeploymentRow[] }

type Probe = { ids: string[] } | { error: string };

async function probe(provider: Provider, keyMissing: string | null, timeoutMs: number): Promise<Probe> {
  if (keyMissing) return { error: `no key (${keyMissing} unset)` };
  if (!provider.listModels) return { error: 'unknown' };
  try {
    return { ids: await provider.listModels(AbortSignal.timeout(timeoutMs)) };
  } catch (err) {
    const msg = (err as Error).message.replace(`upstream ${provider.id} `, '');
    const code = /\(([A-Z][A-Z_]+)[:)]/.exec(msg)?.[1];
    return { error: code ? `unreachable (${code})` : `unreachable: ${msg.slice(0, 100)}` };
  }
}

interface ProviderState { type: string; locality: string; probe: Probe }

const isLoopback = (url: string) => /^(localhost|127\.|\[::1\]|::1)/.test(new URL(url).hostname);

async function providerState(p: Config['providers'][number], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ProviderState> {
  if (p.type === 'local') return { type: p.type, locality: p.locality ?? 'local', probe: { ids: (p.models ?? []).map((m) => m.name) } };
  if (!isPresetType(p.type)) {
    return { type: p.type, locality: p.locality ?? (p.base_url && isLoopback(p.base_url) ? 'local' : 'cloud'), probe: { error: 'unknown' } };
  }
  const r = createProvider({ ...p, type: p.type }, env);
  try {
    const keyEnv = p.api_key_env ?? PRESETS[p.type].keyEnv;
    const needsKey = r.preset.locality === 'cloud' && p.type !== 'openai-compatible' && !p.api_key;
    const keyMissing = needsKey && keyEnv && !env[keyEnv] ? keyEnv : null;
    return { type: p.type, locality: r.locality, probe: await probe(r.provider, keyMissing, timeoutMs) };
  } finally {
    await r.provider.close?.();
  }
}

export async function listModels(raw: Config, env: NodeJS.ProcessEnv, timeoutMs: number, baseDir?: string): Promise<ModelRow[]> {
  const config = withLocalModels(raw);
  const states = new Map<string, ProviderState>();
  await Promise.all(config.providers.map(async (p) => { states.set(p.id, await providerState(p, env, timeoutMs)); }));
  const merged = applyCatalog(config, catalogFor(config, baseDir));
  return merged.models.map((m) => ({
    model: m.name,
    deployments: m.deployments.map((d) => {
      const st = states.get(d.provider)!;
      const info: CatalogDeploymentInfo | undefined = merged.info.get(`${d.provider}/${d.model}`);
      const reachable = 'ids' in st.probe ? (listed(st.probe.ids, d.model) ? 'yes' : 'not listed') : st.probe.error;
      const row: DeploymentRow = {
        provider: d.provider, type: st.type, upstream: d.model, locality: d.locality ?? st.locality, reachable,
        capabilities: { ...d.capabilities },
      };
      if (d.region) row.region = d.region;
      if (d.price) row.price = d.price;
      if (info?.checked) row.priceChecked = info.checked;
      if (info?.source) row.priceSource = info.source;
      if (d.context_window) row.contextWindow = d.context_window;
      return row;
    }),
  }));
}

function table(rows: ModelRow[]): string {
  const head = ['MODEL', 'PROVIDER', 'UPSTREAM', 'WHERE', 'REACHABLE', '$IN/M', '$OUT/M', 'CONTEXT'];
  const lines: string[][] = [head];
  for (const m of rows) {
    m.deployments.forEach((d, i) => lines.push([
      i === 0 ? m.model : '',
      d.provider,
      d.upstream,
      d.region && d.locality === 'cloud' ? `cloud/${d.region}` : d.locality,
      d.reachable,
      d.price ? `${d.price.input}${d.priceSource === 'estimate' ? '~' : ''}` : '-',
      d.price ? `${d.price.output}${d.priceSource === 'estimate' ? '~' : ''}` : '-',
      d.contextWindow ? String(d.contextWindow) : '-',
    ]));
  }
  const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  return lines.map((l) => l.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n')
    + '\n\n~ price is an estimate (see src/config/catalog.yaml); prices are USD per million tokens.\n';
}

export async function run(args: string[], io: CliIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, 'timeout-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    io.stderr.write(`switchyard models: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) { io.stdout.write(HELP); return 0; }
  const timeoutMs = Number(values['timeout-ms'] ?? 1500);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    io.stderr.write(`switchyard models: --timeout-ms must be a positive number\n`);
    return 2;
  }
  let config: Config;
  try {
    config = values.config ? loadConfigFile(values.config) : (await discoverDefaults(env)).config;
  } catch (err) {
    io.stderr.write(`switchyard: ${err instanceof ConfigError ? err.message : String(err)}\n`);
    return 1;
  }
  const rows = await listModels(config, env, timeoutMs, values.config ? dirname(resolve(values.config)) : undefined);
  io.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.length ? table(rows) : 'no models: configure a provider (see docs/providers.md)\n');
  return 0;
}
