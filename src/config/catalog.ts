/**
 * The model catalog (catalog.yaml beside this file's source): loading, validation, and the merge
 * that turns "these providers are configured" into model entries with every deployment they
 * reach. The catalog is data; this file only knows its shape.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { capabilitiesSchema, priceSchema, type CatalogOverride, type Config, type DeploymentConfig, type ModelConfig, type ProviderConfig } from './schema.js';
import { PRESET_TYPES, PRESETS, isPresetType } from '../providers/presets/presets.js';
import { ConfigError } from './load.js';

const presetType = z.enum(PRESET_TYPES);

const catalogDeploymentSchema = z.object({
  provider: presetType,
  upstream: z.string().min(1),
  price: priceSchema,
  context_window: z.number().int().positive().optional(),
  capabilities: capabilitiesSchema.optional(),
  region: z.string().optional(),
  /** Date the price was compared with its source (YYYY-MM-DD). */
  checked: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** The page the figure came from, or `estimate` when it could not be confirmed there. */
  source: z.string().min(1),
}).strict();

const catalogModelSchema = z.object({
  name: z.string().min(1),
  family: z.string().optional(),
  description: z.string().optional(),
  languages: z.array(z.string()).default([]),
  context_window: z.number().int().positive(),
  capabilities: capabilitiesSchema,
  deployments: z.array(catalogDeploymentSchema).default([]),
  /** Local engine preset type → that engine's model id (free per token). */
  local: z.partialRecord(presetType, z.string().min(1)).optional(),
}).strict();

export const catalogFileSchema = z.object({
  version: z.literal(1),
  models: z.array(catalogModelSchema),
}).strict();

export type Catalog = z.output<typeof catalogFileSchema>;
export type CatalogModel = Catalog['models'][number];
export type CatalogDeployment = CatalogModel['deployments'][number];

/** The YAML ships in src/config/ (tsc does not copy it); find it from src or dist alike. */
export function builtinCatalogPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const rel of ['catalog.yaml', join('src', 'config', 'catalog.yaml')]) {
      const p = join(dir, rel);
      if (existsSync(p)) return p;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('catalog.yaml not found beside the Switchyard sources');
    dir = parent;
  }
}

export function parseCatalog(raw: unknown, source: string): Catalog {
  const r = catalogFileSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`), source);
  return r.data;
}

const cache = new Map<string, Catalog>();

export function loadCatalog(path = builtinCatalogPath()): Catalog {
  let c = cache.get(path);
  if (!c) {
    let text: string;
    try { text = readFileSync(path, 'utf8'); } catch (err) { throw new ConfigError([`cannot read catalog: ${(err as Error).message}`], path); }
    c = parseCatalog(parseYaml(text), path);
    cache.set(path, c);
  }
  return c;
}

/** A second catalog's models replace same-named ones of the first and add the rest. */
export function mergeCatalogs(base: Catalog, extra: Catalog): Catalog {
  const byName = new Map(base.models.map((m) => [m.name, m]));
  for (const m of extra.models) byName.set(m.name, m);
  return { version: 1, models: [...byName.values()] };
}

export interface CatalogDeploymentInfo {
  /** `providerId/upstream`, as the registry keys deployments. */
  key: string;
  modelName: string;
  providerId: string;
  providerType: string;
  checked?: string;
  source?: string;
  /** From the catalog's `local:` map: only usable once the engine lists the model. */
  needsListing: boolean;
}

export interface CatalogMerge {
  models: ModelConfig[];
  /** Facts the registry does not carry (price dates, sources), for `switchyard models`. */
  info: Map<string, CatalogDeploymentInfo>;
}

function overridesFor(overrides: CatalogOverride[], model: string, p: ProviderConfig): CatalogOverride[] {
  return overrides.filter((o) => o.model === model && (o.provider === undefined || o.provider === p.id || o.provider === p.type));
}

type Capabilities = NonNullable<DeploymentConfig['capabilities']>;
/** The catalog's model-level languages go onto each deployment (for routing) unless the user set some. */
const withLanguages = (caps: Capabilities, languages: string[]): Capabilities =>
  caps.languages || !languages.length ? caps : { ...caps, languages };

/**
 * Config + catalog → the models the registry serves. A model named in the config keeps exactly the
 * deployments the user listed (the config is authoritative), only filling in the catalog's context
 * window and capabilities where the user gave none. Catalog models the config does not name get
 * one deployment per configured provider whose preset type the catalog lists.
 */
export function applyCatalog(config: Config, catalog: Catalog): CatalogMerge {
  const info = new Map<string, CatalogDeploymentInfo>();
  const settings = config.catalog ?? {};
  const overrides = settings.overrides ?? [];
  const byName = new Map(catalog.models.map((m) => [m.name, m]));
  const typeOf = new Map(config.providers.map((p) => [p.id, p.type]));
  // Models served only by the embedded `local` provider are added by boot under the GGUF's name;
  // they join the catalog's deployments instead of hiding them.
  const joins = (m: ModelConfig) => byName.has(m.name) && m.deployments.every((d) => typeOf.get(d.provider) === 'local');
  const models: ModelConfig[] = config.models.map((m) => {
    const cm = byName.get(m.name);
    if (!cm) return m;
    return {
      ...m,
      deployments: m.deployments.map((d) => ({
        ...d,
        context_window: d.context_window ?? cm.context_window,
        capabilities: withLanguages(d.capabilities ?? cm.capabilities, cm.languages),
      })),
    };
  });
  if (settings.enabled === false) return { models, info };
  const authoritative = new Set(config.models.filter((m) => !joins(m)).map((m) => m.name));
  for (const cm of catalog.models) {
    if (authoritative.has(cm.name)) continue;
    const deployments: DeploymentConfig[] = [];
    for (const p of config.providers) {
      if (!isPresetType(p.type)) continue;
      const cands: Array<{ upstream: string; d?: CatalogDeployment }> = cm.deployments.filter((d) => d.provider === p.type).map((d) => ({ upstream: d.upstream, d }));
      const localId = cm.local?.[p.type];
      if (localId) cands.push({ upstream: localId });
      for (const c of cands) {
        const dep: DeploymentConfig = {
          provider: p.id,
          model: c.upstream,
          price: c.d?.price ?? { input: 0, output: 0 },
          context_window: c.d?.context_window ?? cm.context_window,
          capabilities: withLanguages({ ...cm.capabilities, ...c.d?.capabilities }, cm.languages),
        };
        const region = c.d?.region ?? p.region ?? PRESETS[p.type].region;
        if (region) dep.region = region;
        let disabled = false;
        for (const o of overridesFor(overrides, cm.name, p)) {
          if (o.disabled) disabled = true;
          if (o.upstream) dep.model = o.upstream;
          if (o.price) dep.price = o.price;
          if (o.context_window) dep.context_window = o.context_window;
          if (o.capabilities) dep.capabilities = { ...dep.capabilities, ...o.capabilities };
        }
        if (disabled) continue;
        deployments.push(dep);
        const key = `${p.id}/${dep.model}`;
        info.set(key, {
          key, modelName: cm.name, providerId: p.id, providerType: p.type,
          checked: c.d?.checked, source: c.d?.source, needsListing: !c.d,
        });
      }
    }
    if (!deployments.length) continue;
    const existing = models.find((m) => m.name === cm.name);
    if (existing) existing.deployments = [...existing.deployments, ...deployments];
    else models.push({ name: cm.name, deployments });
  }
  return { models, info };
}

/** The catalog the config asks for: built-in, plus `catalog.file` merged over it. */
export function catalogFor(config: Config, baseDir = process.cwd()): Catalog {
  const base = loadCatalog();
  const file = config.catalog?.file;
  if (!file) return base;
  const path = file.startsWith('/') ? file : join(baseDir, file);
  return mergeCatalogs(base, loadCatalog(path));
}
