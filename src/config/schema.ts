/**
 * The config file's shape (YAML), validated once at start-up. Field names are snake_case as
 * users write them; docs/config.md documents every field.
 */
import { z } from 'zod';
import { PRESET_TYPES } from '../providers/presets/presets.js';

export const priceSchema = z.object({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cached: z.number().nonnegative().optional(),
}).strict();

export const localitySchema = z.enum(['local', 'on-prem', 'cloud']);

export const capabilitiesSchema = z.object({
  tools: z.boolean().optional(),
  vision: z.boolean().optional(),
  reasoning: z.boolean().optional(),
  json_mode: z.boolean().optional(),
}).strict();

export const deploymentSchema = z.object({
  provider: z.string().min(1),
  model: z.string().min(1),
  price: priceSchema.optional(),
  context_window: z.number().int().positive().optional(),
  capabilities: capabilitiesSchema.optional(),
  locality: localitySchema.optional(),
  region: z.string().optional(),
  weight: z.number().positive().optional(),
  extra_body: z.record(z.string(), z.unknown()).optional(),
}).strict();

export const modelSchema = z.object({
  name: z.string().min(1),
  deployments: z.array(deploymentSchema).min(1),
  fallbacks: z.array(z.string()).optional(),
}).strict();

export const providerSchema = z.object({
  id: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
  // A preset (src/providers/presets/presets.ts) knows its base URL, key variable and dialect.
  type: z.enum(PRESET_TYPES),
  base_url: z.string().url().optional(),
  api_key_env: z.string().optional(),
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeout_ms: z.number().int().positive().optional(),
  max_connections: z.number().int().positive().optional(),
  locality: localitySchema.optional(),
  region: z.string().optional(),
}).strict().refine((p) => p.type !== 'openai-compatible' || p.base_url !== undefined, {
  message: "'base_url' is required for type 'openai-compatible' (presets have a default)", path: ['base_url'],
});

/** A user's correction of the built-in model catalog (src/config/catalog.yaml). */
export const catalogOverrideSchema = z.object({
  model: z.string().min(1),
  /** A provider id or preset type; without it the override applies to every deployment of the model. */
  provider: z.string().optional(),
  upstream: z.string().optional(),
  price: priceSchema.optional(),
  context_window: z.number().int().positive().optional(),
  capabilities: capabilitiesSchema.optional(),
  disabled: z.boolean().optional(),
}).strict();

export const catalogSchema = z.object({
  /** Add the catalog's models for every configured provider (default true). */
  enabled: z.boolean().optional(),
  /** Extra catalog file, same format as the built-in one, merged over it. */
  file: z.string().optional(),
  overrides: z.array(catalogOverrideSchema).optional(),
}).strict();

export const serverSchema = z.object({
  host: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  max_body_bytes: z.number().int().positive().optional(),
  master_key_env: z.string().optional(),
}).strict();

export const storageSchema = z.object({
  sqlite_path: z.string().optional(),
  flush_interval_ms: z.number().int().positive().optional(),
  max_queue: z.number().int().positive().optional(),
}).strict();

export const configSchema = z.object({
  server: serverSchema.optional(),
  storage: storageSchema.optional(),
  providers: z.array(providerSchema).default([]),
  models: z.array(modelSchema).default([]),
  catalog: catalogSchema.optional(),
}).strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type DeploymentConfig = z.output<typeof deploymentSchema>;
export type Price = z.output<typeof priceSchema>;
export type CatalogSettings = z.output<typeof catalogSchema>;
export type CatalogOverride = z.output<typeof catalogOverrideSchema>;
