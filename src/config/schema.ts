/**
 * The config file's shape (YAML), validated once at start-up. Field names are snake_case as
 * users write them; docs/config.md documents every field.
 */
import { z } from 'zod';
import { localModelSchema } from '../local/local-config.js';

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
  type: z.enum(['openai-compatible', 'local', 'harmony-raw']),
  /** Required for every type except `local`. */
  base_url: z.string().url().optional(),
  /** `type: local` only: GGUF models served inside the gateway (see docs/local.md). */
  models: z.array(localModelSchema).optional(),
  api_key_env: z.string().optional(),
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeout_ms: z.number().int().positive().optional(),
  max_connections: z.number().int().positive().optional(),
  locality: localitySchema.optional(),
}).strict();

export const serverSchema = z.object({
  host: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  max_body_bytes: z.number().int().positive().optional(),
  master_key_env: z.string().optional(),
  /** Default reasoning visibility for callers whose key sets none: hidden (default) or exposed. */
  reasoning: z.enum(['hidden', 'exposed']).optional(),
  cache_ttl_seconds: z.number().int().positive().optional(),
  drain_ms: z.number().int().nonnegative().optional(),
}).strict();

export const storageSchema = z.object({
  sqlite_path: z.string().optional(),
  /** Shared keys, spend and request log for several instances (env var name holding the URL). */
  postgres_url_env: z.string().optional(),
  /** Shared rate limits, budget holds and cache (env var name holding the URL). */
  redis_url_env: z.string().optional(),
  /** Namespace for every Redis key (default `switchyard:`): several deployments can share one Redis. */
  redis_prefix: z.string().min(1).optional(),
  flush_interval_ms: z.number().int().positive().optional(),
  max_queue: z.number().int().positive().optional(),
}).strict();

export const configSchema = z.object({
  server: serverSchema.optional(),
  storage: storageSchema.optional(),
  providers: z.array(providerSchema).default([]),
  models: z.array(modelSchema).default([]),
}).strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type DeploymentConfig = z.output<typeof deploymentSchema>;
export type Price = z.output<typeof priceSchema>;
