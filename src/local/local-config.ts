/**
 * Configuration of the embedded llama.cpp provider (`type: local`). Keys follow the config file:
 * `providers: [{id: local, type: local, models: [{name, path, ...}]}]`.
 */
import { z } from 'zod';

export const localPriceSchema = z.object({
  /** USD per million input tokens. */
  input: z.number().min(0),
  /** USD per million output tokens. */
  output: z.number().min(0),
});

export const localModelSchema = z.object({
  name: z.string().min(1),
  path: z.string().min(1),
  /** Tokens per context sequence (each concurrent request has its own). Default: min(trained size, 8192). */
  contextSize: z.number().int().positive().optional(),
  /** CPU threads for evaluation. Default: what node-llama-cpp picks for the machine. */
  threads: z.number().int().min(0).optional(),
  /** Layers offloaded to the GPU; `auto` fits what memory allows. Ignored on CPU-only builds. */
  gpuLayers: z.union([z.number().int().min(0), z.literal('auto'), z.literal('max')]).optional(),
  /** Requests served at once on the loaded model; further requests queue. Default 2. */
  sequences: z.number().int().min(1).max(64).optional(),
  /** Unload the model after this long without requests. Default: stay loaded. */
  idleUnloadMs: z.number().int().min(0).optional(),
  /** `harmony` for gpt-oss (default when the file's architecture is gpt-oss), else the file's chat template. */
  chatFormat: z.enum(['harmony', 'template']).optional(),
  /** Hardware cost of running this deployment, spread over the tokens it serves. */
  cost_per_hour: z.number().min(0).optional(),
  price: localPriceSchema.optional(),
});

export const localProviderConfigSchema = z.object({
  id: z.string().min(1),
  type: z.literal('local').optional(),
  models: z.array(localModelSchema),
});

export type LocalModelConfig = z.infer<typeof localModelSchema>;
export type LocalProviderConfig = z.infer<typeof localProviderConfigSchema>;
export type LocalPrice = z.infer<typeof localPriceSchema>;
