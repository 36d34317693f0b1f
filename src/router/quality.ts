/**
 * The one routing knob: quality 0–1. For the learned router it becomes a score threshold so that
 * quality ≈ the share of requests sent to the thinking tier on a traffic mix like the training
 * data (MMLU + GSM8K): 0.3 sends the 30% of prompts that gain most from the strong model.
 * Retrained weights can shift the scale; set `threshold` on the virtual model to pin it instead.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { VirtualKey } from '../store/store.js';

// Quantiles (every 5%) of the shipped router's scores over its training prompts.
const SCORE_QUANTILES = [-0.3345, 0.0162, 0.0521, 0.0635, 0.0729, 0.0804, 0.0866, 0.0928, 0.0988, 0.1052, 0.1113,
  0.118, 0.1256, 0.1341, 0.1438, 0.1554, 0.1692, 0.1894, 0.2348, 0.3083, 0.6108];

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
