/**
 * What the simulator does for one request: defaults from the command line, overridden per
 * request by a `sim` object in the body or `x-sim-*` headers (so one simulator serves a whole
 * test suite).
 */
import type { HarmonySim } from './completions-route.js';

export type SimFault = 'none' | 'http_500' | 'http_502' | 'http_503' | 'http_429' | 'http_400' | 'http_401' | 'hang' | 'reset' | 'reset_before' | 'malformed' | 'error_event';

export const FAULTS: readonly SimFault[] = ['none', 'http_500', 'http_502', 'http_503', 'http_429', 'http_400', 'http_401', 'hang', 'reset', 'reset_before', 'malformed', 'error_event'];

export interface SimToolCall { name: string; arguments: string }

export interface SimBehavior {
  ttftMs: number;
  chunks: number;
  chunkIntervalMs: number;
  text?: string;
  reasoning?: string;
  toolCalls?: SimToolCall[];
  usage: boolean;
  fault: SimFault;
  /** Probability that a request gets the fault (1 = always). */
  faultRate: number;
  /** Stream faults (reset, malformed, error_event) happen after this many content chunks. */
  faultAfter: number;
  retryAfter: number;
  /** Prompt tokens reported as served from the provider's cache (in the dialect's spelling). */
  cachedTokens: number;
  /** Answer shape (src/sim/dialects.ts); a `/<dialect>/` path prefix also selects it. */
  dialect?: string;
  /** Harmony mode (`POST /v1/completions`): what the raw gpt-oss completion holds. See completions-route.ts. */
  harmony?: HarmonySim;
}

export const DEFAULT_BEHAVIOR: SimBehavior = {
  ttftMs: 0, chunks: 5, chunkIntervalMs: 0, usage: true, fault: 'none', faultRate: 1, faultAfter: 2, retryAfter: 1, cachedTokens: 0,
};

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

function parseToolCalls(v: unknown): SimToolCall[] | undefined {
  const arr = typeof v === 'string' ? safeJson(v) : v;
  if (!Array.isArray(arr)) return undefined;
  return arr.map((t: Record<string, unknown>) => ({
    name: String(t.name ?? 'tool'),
    arguments: typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments ?? {}),
  }));
}

function safeJson(s: string): unknown {
  try { return JSON.parse(s); } catch { return undefined; }
}

/** Applies overrides given as snake_case keys (`ttft_ms`, `fault_rate`, …). */
export function overrideBehavior(base: SimBehavior, o: Record<string, unknown> | undefined): SimBehavior {
  if (!o) return base;
  const b = { ...base };
  const n = (k: string) => num(o[k]);
  b.ttftMs = n('ttft_ms') ?? b.ttftMs;
  b.chunks = Math.max(1, Math.floor(n('chunks') ?? b.chunks));
  b.chunkIntervalMs = n('chunk_interval_ms') ?? b.chunkIntervalMs;
  b.faultRate = n('fault_rate') ?? b.faultRate;
  b.faultAfter = n('fault_after') ?? b.faultAfter;
  b.retryAfter = n('retry_after') ?? b.retryAfter;
  b.cachedTokens = n('cached_tokens') ?? b.cachedTokens;
  if (typeof o.dialect === 'string') b.dialect = o.dialect;
  if (typeof o.text === 'string') b.text = o.text;
  if (typeof o.reasoning === 'string') b.reasoning = o.reasoning;
  if (o.usage !== undefined) b.usage = o.usage !== false && o.usage !== 'false';
  if (typeof o.fault === 'string' && (FAULTS as string[]).includes(o.fault)) b.fault = o.fault as SimFault;
  const tc = parseToolCalls(o.tool_calls);
  if (tc) b.toolCalls = tc;
  return b;
}

export function headerOverrides(headers: Record<string, string | string[] | undefined>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (!k.startsWith('x-sim-') || typeof v !== 'string') continue;
    (out ??= {})[k.slice(6).replace(/-/g, '_')] = v;
  }
  return out;
}

/** Splits text into n near-equal pieces (no empty pieces). */
export function splitPieces(text: string, n: number): string[] {
  if (!text) return [];
  const count = Math.min(n, text.length);
  const size = text.length / count;
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(text.slice(Math.round(i * size), Math.round((i + 1) * size)));
  return out;
}
