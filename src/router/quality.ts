/**
 * The one routing knob: quality 0–1. For the learned router it becomes a score threshold so that
 * quality ≈ the share of requests sent to the thinking tier on a traffic mix like the training
 * data (MMLU + GSM8K): 0.3 sends the 30% of prompts that gain most from the strong model.
 * Retrained weights can shift the scale; set `threshold` on the virtual model to pin it instead.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { VirtualKey } from '../store/store.js';

// Quantiles (every 5%) of the shipped router's scores over its training prompts.
const SCORE_QUANTILES = [-0.3697, 0.0065, 0.0431, 0.0562, 0.0662, 0.0744, 0.0814, 0.0887, 0.0953, 0.1027, 0.109,
  0.1173, 0.1252, 0.1344, 0.145, 0.1583, 0.174, 0.1959, 0.2444, 0.3279, 0.5088];

export function thresholdForQuality(q: number): number {
  if (q >= 1) return -Infinity;
  if (q <= 0) return Infinity;
  const pos = (1 - q) * 20;
  const i = Math.floor(pos);
  const f = pos - i;
  return SCORE_QUANTILES[i] + f * ((SCORE_QUANTILES[i + 1] ?? SCORE_QUANTILES[i]) - SCORE_QUANTILES[i]);
}

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

export interface RoutingKnobs { quality: number; qualitySource: string; maxCostUsd?: number }

/**
 * Request (header `x-switchyard-quality` or body `switchyard.quality`) beats the key's
 * metadata, which beats the virtual model's setting, which beats routing.quality; default 0.5.
 */
export function routingKnobs(opts: {
  headers: IncomingHttpHeaders; gateway: Record<string, unknown> | undefined; key: VirtualKey | null;
  modelQuality?: number; globalQuality?: number; modelMaxCost?: number;
}): RoutingKnobs {
  const bodyKnobs = opts.gateway ?? {};
  const clamp = (q: number) => Math.min(1, Math.max(0, q));
  const req = num(opts.headers['x-switchyard-quality']) ?? num(bodyKnobs.quality);
  let quality = 0.5;
  let qualitySource = 'default';
  if (req !== undefined) { quality = clamp(req); qualitySource = 'request'; }
  else if (opts.key?.metadata.quality !== undefined) { quality = opts.key.metadata.quality; qualitySource = 'key'; }
  else if (opts.modelQuality !== undefined) { quality = opts.modelQuality; qualitySource = 'model'; }
  else if (opts.globalQuality !== undefined) { quality = opts.globalQuality; qualitySource = 'config'; }
  const maxCostUsd = num(opts.headers['x-switchyard-max-cost-usd']) ?? num(bodyKnobs.max_cost_usd) ?? opts.modelMaxCost;
  return { quality, qualitySource, maxCostUsd };
}
