/**
 * The config file's shape (YAML), validated once at start-up. Field names are snake_case as
 * users write them; docs/config.md documents every field.
 */
import { z } from 'zod';
import { PRESET_TYPES } from '../providers/presets/presets.js';
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
  /** Languages the model answers well (ISO 639-1, e.g. [en, zh]); empty or absent = any. The catalog fills it in. */
  languages: z.array(z.string().regex(/^[a-z]{2,3}$/, 'an ISO 639 code such as en, zh')).optional(),
}).strict();

// --- reliability (issue 6): timeouts, retries, circuit breakers, load balancing; docs/reliability.md ---
export const timeoutsSchema = z.object({
  /** TCP/TLS connect. */
  connect_ms: z.number().int().positive().optional(),
  /** Request sent → first streamed part (or the whole answer, for non-streaming calls: see total_ms). */
  ttft_ms: z.number().int().positive().optional(),
  /** Longest silence between two streamed parts. */
  idle_ms: z.number().int().positive().optional(),
  /** Whole attempt, first byte sent to last byte received. */
  total_ms: z.number().int().positive().optional(),
}).strict();

export const retrySchema = z.object({
  /** Extra passes over the whole fallback chain once every candidate failed (0 = one pass only). */
  max_retries: z.number().int().min(0).max(10).optional(),
  base_ms: z.number().int().nonnegative().optional(),
  max_backoff_ms: z.number().int().nonnegative().optional(),
  /** An upstream Retry-After longer than this is not waited for: the request fails with it instead. */
  max_retry_after_ms: z.number().int().nonnegative().optional(),
}).strict();

export const circuitBreakerSchema = z.object({
  enabled: z.boolean().optional(),
  consecutive_failures: z.number().int().positive().optional(),
  error_rate: z.number().gt(0).max(1).optional(),
  /** How many recent outcomes the error rate is computed over. */
  window: z.number().int().positive().optional(),
  min_requests: z.number().int().positive().optional(),
  open_ms: z.number().int().positive().optional(),
  half_open_probes: z.number().int().positive().optional(),
  /** When every deployment's circuit is open, still try them (true) or fail fast with 503 (false). */
  last_resort: z.boolean().optional(),
}).strict();

export const balanceSchema = z.enum(['ordered', 'weighted', 'least_in_flight', 'latency']);

export const healthCheckSchema = z.object({
  enabled: z.boolean().optional(),
  interval_ms: z.number().int().positive().optional(),
  timeout_ms: z.number().int().positive().optional(),
}).strict();

/** Slow clients (slowloris): limits on receiving a request; a long streamed answer is not timed. */
export const clientTimeoutsSchema = z.object({
  headers_timeout_ms: z.number().int().positive().optional(),
  /** Headers and body together. */
  request_timeout_ms: z.number().int().positive().optional(),
}).strict();

export const reliabilitySchema = z.object({
  timeouts: timeoutsSchema.optional(),
  retry: retrySchema.optional(),
  circuit_breaker: circuitBreakerSchema.optional(),
  /** Default balancing strategy for models that name none. */
  balance: balanceSchema.optional(),
  /** Active checks of local engines (GET /models); a failing engine is taken out of rotation. */
  health_check: healthCheckSchema.optional(),
  client: clientTimeoutsSchema.optional(),
}).strict();
// --- end reliability ---

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
  timeouts: timeoutsSchema.optional(), // reliability: overrides the provider's
}).strict();

export const modelSchema = z.object({
  name: z.string().min(1),
  deployments: z.array(deploymentSchema).min(1),
  fallbacks: z.array(z.string()).optional(),
  balance: balanceSchema.optional(), // reliability
}).strict();

/** `harmony-raw` only: what the harmony system message tells the model about time (docs/harmony.md). */
export const harmonyProviderSchema = z.object({
  /** `auto` (default): today's UTC date, per request; `none` leaves the line out. */
  current_date: z.union([z.enum(['auto', 'none']), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'auto, none or YYYY-MM-DD')]).optional(),
  /** Default 2024-06 (gpt-oss's training cutoff). */
  knowledge_cutoff: z.string().regex(/^\d{4}-\d{2}$/, 'YYYY-MM').optional(),
}).strict();

export const providerSchema = z.object({
  id: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
  // A preset (src/providers/presets/presets.ts) knows its base URL, key variable and dialect;
  // `local` runs GGUF models in-process, `harmony-raw` speaks harmony to a completions endpoint.
  type: z.enum([...PRESET_TYPES, 'local', 'harmony-raw']),
  /** Required for `openai-compatible` and `harmony-raw`; presets have a default; `local` has none. */
  base_url: z.string().url().optional(),
  /** `type: local` only: GGUF models served inside the gateway (see docs/local.md). */
  models: z.array(localModelSchema).optional(),
  api_key_env: z.string().optional(),
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeout_ms: z.number().int().positive().optional(),
  max_connections: z.number().int().positive().optional(),
  locality: localitySchema.optional(),
  region: z.string().optional(),
  timeouts: timeoutsSchema.optional(), // reliability: overrides reliability.timeouts
  harmony: harmonyProviderSchema.optional(),
}).strict();

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
  /** Default reasoning visibility for callers whose key sets none: hidden (default) or exposed. */
  reasoning: z.enum(['hidden', 'exposed']).optional(),
  cache_ttl_seconds: z.number().int().positive().optional(),
  drain_ms: z.number().int().nonnegative().optional(),
  /** Streaming: events within this many ms of the last socket write share the next one (0: no window). */
  stream_coalesce_ms: z.number().int().min(0).max(1000).optional(),
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

/** A virtual model (`auto` is built in): chooses among candidate models per request. */
export const virtualModelSchema = z.object({
  name: z.string().min(1),
  /** learned: the reflex/thinking router; cascade: reflex first, escalate when checks fail; order: first capable. */
  mode: z.enum(['learned', 'cascade', 'order']).optional(),
  candidates: z.array(z.object({
    model: z.string().min(1),
    tier: z.enum(['reflex', 'thinking']).optional(),
  }).strict()).min(1),
  /** 0 = always the cheapest capable model, 1 = always the strongest; default routing.quality or 0.5. */
  quality: z.number().min(0).max(1).optional(),
  /** Overrides the threshold derived from quality: the expected accuracy gain that justifies thinking. */
  threshold: z.number().optional(),
  /** Never choose a candidate whose estimated cost passes this (USD per request). */
  max_cost_usd: z.number().positive().optional(),
  cascade: z.object({
    checks: z.array(z.enum(['json', 'tool_calls', 'non_empty'])).optional(),
    must_match: z.string().optional(),
    must_not_match: z.string().optional(),
    min_chars: z.number().int().nonnegative().optional(),
  }).strict().optional(),
}).strict();

export const privacySchema = z.object({
  /** enforce (default): requests carrying personal data go only to local/on-prem deployments. */
  mode: z.enum(['enforce', 'off']).optional(),
  /** Message roles scanned (default user, assistant, tool: an operator's own system prompt is not the user's data). */
  roles: z.array(z.enum(['system', 'developer', 'user', 'assistant', 'tool'])).optional(),
  /** Providers allowed to receive sensitive requests although not local/on-prem (e.g. a BAA-covered cloud). */
  allow_providers: z.array(z.string()).optional(),
}).strict();

export const routingSchema = z.object({
  virtual_models: z.array(virtualModelSchema).optional(),
  quality: z.number().min(0).max(1).optional(),
  privacy: privacySchema.optional(),
  /** Router weights file (default: the shipped weights, or $SWITCHYARD_ROUTER_WEIGHTS). */
  router_weights: z.string().optional(),
}).strict();

export const configSchema = z.object({
  routing: routingSchema.optional(),
  server: serverSchema.optional(),
  storage: storageSchema.optional(),
  reliability: reliabilitySchema.optional(),
  providers: z.array(providerSchema).default([]),
  models: z.array(modelSchema).default([]),
  catalog: catalogSchema.optional(),
}).strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type DeploymentConfig = z.output<typeof deploymentSchema>;
export type TimeoutsConfig = z.output<typeof timeoutsSchema>;
export type ReliabilityConfig = z.output<typeof reliabilitySchema>;
export type BalanceStrategy = z.output<typeof balanceSchema>;
export type Price = z.output<typeof priceSchema>;
export type CatalogSettings = z.output<typeof catalogSchema>;
export type CatalogOverride = z.output<typeof catalogOverrideSchema>;
export type VirtualModelConfig = z.output<typeof virtualModelSchema>;
export type RoutingConfig = z.output<typeof routingSchema>;
