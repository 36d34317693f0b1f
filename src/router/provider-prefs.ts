/**
 * Per-request provider preferences, shaped like OpenRouter's `provider` object
 * (https://openrouter.ai/docs/features/provider-routing): `order`, `only`, `ignore`,
 * `sort: price | latency | throughput`, `allow_fallbacks`. Providers are named by config id or
 * preset type (`groq`), so the same request works against differently named configs.
 */
import { invalidParam } from '../core/errors.js';

export interface ProviderPrefs {
  order?: string[];
  only?: string[];
  ignore?: string[];
  sort?: 'price' | 'latency' | 'throughput';
  allowFallbacks: boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function names(o: Record<string, unknown>, k: string): string[] | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw invalidParam(`provider.${k}`, `'provider.${k}' must be an array of provider names`);
  return v as string[];
}

/** Reads `body.provider`; undefined when absent. Unknown keys are ignored, like OpenRouter does. */
export function readProviderPrefs(body: Record<string, unknown>): ProviderPrefs | undefined {
  const p = body.provider;
  if (p === undefined || p === null) return undefined;
  if (!isObj(p)) throw invalidParam('provider', `'provider' must be an object like {order, only, ignore, sort, allow_fallbacks}`);
  const sort = p.sort;
  if (sort !== undefined && sort !== null && sort !== 'price' && sort !== 'latency' && sort !== 'throughput') {
    throw invalidParam('provider.sort', `'provider.sort' must be 'price', 'latency' or 'throughput'`);
  }
  const af = p.allow_fallbacks;
  if (af !== undefined && af !== null && typeof af !== 'boolean') throw invalidParam('provider.allow_fallbacks', `'provider.allow_fallbacks' must be a boolean`);
  return {
    order: names(p, 'order'),
    only: names(p, 'only'),
    ignore: names(p, 'ignore'),
    sort: (sort ?? undefined) as ProviderPrefs['sort'],
    allowFallbacks: af !== false,
  };
}
