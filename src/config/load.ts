import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[], source: string) {
    super(`invalid config ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `providers[0].base_url` style path for a zod issue, so users find the bad field. */
function issuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${String(seg)}` : String(seg);
  return out || '(root)';
}

function describeIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      return `${issuePath(i.path)}: unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}`;
    }
    return `${issuePath(i.path)}: ${i.message}`;
  });
}

/** Validates an already-parsed config object, including cross-references. */
export function validateConfig(raw: unknown, source = '(inline)'): Config {
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues), source);
  const cfg = parsed.data;
  const problems: string[] = [];
  const providerIds = new Set<string>();
  cfg.providers.forEach((p, i) => {
    if (providerIds.has(p.id)) problems.push(`providers[${i}].id: duplicate provider id '${p.id}'`);
    providerIds.add(p.id);
    if (p.type === 'local' && !p.models?.length) problems.push(`providers[${i}].models: a local provider needs at least one model {name, path}`);
    if (p.type !== 'local' && p.models) problems.push(`providers[${i}].models: only providers of type 'local' list models`);
    if (p.type !== 'harmony-raw' && p.harmony) problems.push(`providers[${i}].harmony: only providers of type 'harmony-raw' take harmony options`);
    // Presets (groq, ollama, …) have a default base URL; these two types cannot guess one.
    if ((p.type === 'openai-compatible' || p.type === 'harmony-raw') && !p.base_url) problems.push(`providers[${i}].base_url: required for type '${p.type}'`);
  });
  // A local provider serves only the models it lists: a typo would otherwise surface as a 404 on the first request.
  const localModels = new Map(cfg.providers.filter((p) => p.type === 'local').map((p) => [p.id, (p.models ?? []).map((lm) => lm.name)]));
  const names = new Set<string>();
  cfg.models.forEach((m, i) => {
    if (names.has(m.name)) problems.push(`models[${i}].name: duplicate model name '${m.name}'`);
    names.add(m.name);
    m.deployments.forEach((d, j) => {
      if (!providerIds.has(d.provider)) {
        problems.push(`models[${i}].deployments[${j}].provider: no provider with id '${d.provider}' (known: ${[...providerIds].join(', ') || 'none'})`);
      }
      const served = localModels.get(d.provider);
      if (served && !served.includes(d.model)) {
        problems.push(`models[${i}].deployments[${j}].model: local provider '${d.provider}' has no model '${d.model}' (known: ${served.join(', ') || 'none'})`);
      }
    });
  });
  // Local models are served under their own names without a `models` entry (boot.ts): valid fallbacks too.
  for (const served of localModels.values()) for (const n of served) names.add(n);
  cfg.models.forEach((m, i) => m.fallbacks?.forEach((f, j) => {
    if (!names.has(f)) problems.push(`models[${i}].fallbacks[${j}]: no model named '${f}'`);
  }));
  cfg.routing?.virtual_models?.forEach((v, i) => {
    if (names.has(v.name)) problems.push(`routing.virtual_models[${i}].name: '${v.name}' is already a model name`);
    v.candidates.forEach((c, j) => {
      if (!names.has(c.model)) problems.push(`routing.virtual_models[${i}].candidates[${j}].model: no model named '${c.model}'`);
    });
    for (const k of ['must_match', 'must_not_match'] as const) {
      const pat = v.cascade?.[k];
      if (pat !== undefined) { try { new RegExp(pat); } catch (e) { problems.push(`routing.virtual_models[${i}].cascade.${k}: ${(e as Error).message}`); } }
    }
  });
  cfg.routing?.privacy?.allow_providers?.forEach((p, i) => {
    if (!providerIds.has(p)) problems.push(`routing.privacy.allow_providers[${i}]: no provider with id '${p}'`);
  });
  if (problems.length) throw new ConfigError(problems, source);
  return cfg;
}

export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read file: ${(err as Error).message}`], path);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError([`not valid YAML: ${(err as Error).message}`], path);
  }
  return validateConfig(raw, path);
}
