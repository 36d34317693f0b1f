/**
 * The storage and governance contracts: keys, spend, budgets, rate limits and the response cache.
 * Each is a small interface so backends can be mixed: one process runs everything on SQLite;
 * several instances share keys and spend in Postgres and rate limits, budget reservations and
 * the cache in Redis (see create-store.ts). test/unit/store/conformance.ts runs every backend.
 */

export type ReasoningVisibility = 'hidden' | 'exposed';

/** What a virtual key may do. `null` limits mean "no limit". */
export interface KeyPolicy {
  /** Allowed model names; entries may be globs (`gpt-oss-*`). `null` allows every model. */
  models: string[] | null;
  budgetDayUsd: number | null;
  budgetMonthUsd: number | null;
  rpm: number | null;
  tpm: number | null;
  /** Privacy: only deployments with locality `local`/`on-prem` may serve this key. */
  localOnly: boolean;
  reasoning: ReasoningVisibility;
  /** Opt-in to the exact-match response cache for every request of this key. */
  cache: boolean;
  /** `quality` (0–1) is this key's default for virtual models such as `auto`. */
  metadata: { team?: string; user?: string; quality?: number };
}

export interface VirtualKey extends KeyPolicy {
  id: string;
  name: string;
  /** A recognisable, non-secret head of the secret (`sk-sy-1a2b3c4d5e6f…`) for listings. */
  hint: string;
  createdAt: number;
  revokedAt: number | null;
}

export type NewKey = { name: string } & Partial<KeyPolicy>;

export interface KeyStore {
  /** Creates a key; the secret is returned here once and never stored (only its SHA-256). */
  createKey(input: NewKey): Promise<{ key: VirtualKey; secret: string }>;
  /** The active key a secret belongs to, or null (unknown, malformed or revoked). Constant-time compare. */
  verifyKey(secret: string): Promise<VirtualKey | null>;
  getKey(id: string): Promise<VirtualKey | null>;
  /** Every key, revoked ones included (with `revokedAt`), oldest first. */
  listKeys(): Promise<VirtualKey[]>;
  /** True when the key existed and was active. */
  revokeKey(id: string): Promise<boolean>;
}

/** One request's cost, as accounted. */
export interface SpendEntry {
  ts: number;
  keyId: string | null;
  model: string;
  provider: string | null;
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  costUsd: number;
}

export type SpendGroupBy = 'key' | 'model' | 'provider' | 'day';

export interface SpendQuery {
  groupBy: SpendGroupBy;
  /** Inclusive lower bound, ms since epoch. */
  from?: number;
  /** Exclusive upper bound, ms since epoch. */
  to?: number;
  keyId?: string;
}

export interface SpendRow {
  /** The key id, model, provider or UTC day (`YYYY-MM-DD`); null for requests without one. */
  group: string | null;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  costUsd: number;
}

export interface SpendStore {
  recordSpend(entries: SpendEntry[]): Promise<void>;
  /** Aggregates ordered by cost, highest first (by day: oldest day first). */
  spendSummary(query: SpendQuery): Promise<SpendRow[]>;
}

export interface BudgetLimits { dayUsd: number | null; monthUsd: number | null }

/** Money held for one in-flight request. */
export interface Reservation {
  id: string;
  keyId: string;
  maxCostUsd: number;
  /** After this (ms since epoch) the hold lapses by itself, so a crashed instance cannot leak budget. */
  expiresAt: number;
}

export interface PeriodStatus { period: string; limitUsd: number | null; spentUsd: number; reservedUsd: number }

export interface BudgetStore {
  /**
   * Holds `maxCostUsd` against the key's day and month budgets, atomically with every other
   * reservation for the key: the sum of settled spend, live holds and this one never passes a
   * limit. Throws GatewayError `budget_exceeded` (with retryAfterSeconds) when it would.
   */
  reserve(keyId: string, maxCostUsd: number): Promise<Reservation>;
  /** Replaces the hold by the real cost. Settling an expired or unknown hold still records the cost. */
  settle(reservation: Reservation, actualCostUsd: number): Promise<void>;
  /** Drops the hold without cost (the upstream call failed before anything was billed). */
  release(reservation: Reservation): Promise<void>;
  status(keyId: string): Promise<{ day: PeriodStatus; month: PeriodStatus }>;
}

export interface RateLimits { rpm: number | null; tpm: number | null }

export type RateDecision =
  | { ok: true }
  | { ok: false; limit: 'rpm' | 'tpm'; retryAfterSeconds: number };

export interface RateLimiter {
  /**
   * Counts one request carrying `tokens` (an estimate: prompt + max output) in the key's current
   * one-minute window, unless that would pass rpm or tpm; then nothing is counted.
   */
  consume(keyId: string, limits: RateLimits, tokens: number): Promise<RateDecision>;
  /** Corrects the token count once the real usage is known (delta may be negative). */
  adjustTokens(keyId: string, delta: number): Promise<void>;
}

/** A finished response as the client saw it; `chunks` are the SSE `data:` payloads of a stream. */
export interface CachedResponse {
  body: unknown;
  chunks?: string[];
  createdAt: number;
}

export interface ResponseCache {
  get(key: string): Promise<CachedResponse | null>;
  set(key: string, value: CachedResponse, ttlSeconds: number): Promise<void>;
}

export interface Store {
  readonly backend: string;
  keys: KeyStore;
  spend: SpendStore;
  budgets: BudgetStore;
  rateLimiter: RateLimiter;
  cache: ResponseCache;
  close(): Promise<void>;
}

/** Injected so tests control time (reservation expiry, windows, periods) without sleeping. */
export type Clock = () => number;
