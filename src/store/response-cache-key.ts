/**
 * The exact-match cache key: SHA-256 of the request in a canonical form (object keys sorted at
 * every depth), so `{"a":1,"b":2}` and `{"b":2,"a":1}` hit the same entry. `stream` stays in the
 * key because a stream is replayed as its recorded chunks and a plain request as its body.
 * `scope` separates entries that must never be shared, e.g. keys whose reasoning visibility
 * differs (a cached `exposed` answer would leak reasoning to a `hidden` key).
 */
import { createHash } from 'node:crypto';

/** Fields that identify the caller, not the completion; they never change the answer. */
const IGNORED = new Set(['user', 'metadata']);

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

export function responseCacheKey(body: Record<string, unknown>, scope: string): string {
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!IGNORED.has(k)) kept[k] = v;
  return createHash('sha256').update(scope).update('\n').update(JSON.stringify(canonical(kept))).digest('hex');
}
