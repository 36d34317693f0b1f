/**
 * The embedded default: keys, spend, budgets and the response cache in one SQLite file (WAL).
 * better-sqlite3 is synchronous, so every budget decision runs as one IMMEDIATE transaction with
 * nothing interleaved in this process, and the file lock serializes it against other processes
 * on the same file (the CLI revoking a key while the server runs).
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { GatewayError } from '../core/errors.js';
import { admissionError, assertCost, DEFAULT_RESERVATION_TTL_MS, periodsAt } from './budget-periods.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import type {
  BudgetStore, CachedResponse, Clock, KeyStore, NewKey, PeriodStatus, RateLimiter, Reservation,
  ResponseCache, SpendEntry, SpendQuery, SpendRow, SpendStore, Store, VirtualKey,
} from './store.js';
import { generateSecret, keyFromRow, keyIdOfSecret, normalizeNewKey, secretMatches, type KeyRow } from './virtual-key.js';
import { openSqlite } from './sqlite-open.js';
import { SPEND_DDL } from './sqlite-usage-tables.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS keys (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, hint TEXT NOT NULL, secret_hash BLOB NOT NULL,
  models TEXT, budget_day_usd REAL, budget_month_usd REAL, rpm INTEGER, tpm INTEGER,
  local_only INTEGER NOT NULL, reasoning TEXT NOT NULL, cache INTEGER NOT NULL, metadata TEXT NOT NULL,
  created_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE TABLE IF NOT EXISTS budget_spent (
  key_id TEXT NOT NULL, period TEXT NOT NULL, spent_usd REAL NOT NULL, PRIMARY KEY (key_id, period));
CREATE TABLE IF NOT EXISTS budget_holds (
  id TEXT PRIMARY KEY, key_id TEXT NOT NULL, amount_usd REAL NOT NULL, expires_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS budget_holds_key ON budget_holds (key_id);
CREATE TABLE IF NOT EXISTS response_cache (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL);
`;

export interface SqliteStoreOptions {
  path: string;
  now?: Clock;
  reservationTtlMs?: number;
  /** Checkpoints this connection's WAL writes from its own thread (the server's SqliteWriter). */
  checkpointer?: { adopt(db: Database.Database): void } | null;
}

const SPEND_GROUP: Record<SpendQuery['groupBy'], string> = {
  key: 'key_id',
  model: 'model',
  provider: 'provider',
  day: "strftime('%Y-%m-%d', ts / 1000, 'unixepoch')",
};

export class SqliteStore implements Store, KeyStore, SpendStore, BudgetStore, ResponseCache {
  readonly backend = 'sqlite';
  readonly keys = this;
  readonly spend = this;
  readonly budgets = this;
  readonly cache = this;
  readonly rateLimiter: RateLimiter;
  private readonly db: Database.Database;
  private readonly now: Clock;
  private readonly ttlMs: number;
  private cacheWrites = 0;

  constructor(opts: SqliteStoreOptions) {
    this.db = openSqlite(opts.path);
    this.db.exec(SCHEMA);
    this.db.exec(SPEND_DDL);
    opts.checkpointer?.adopt(this.db);
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    this.rateLimiter = new MemoryRateLimiter({ now: this.now });
  }

  // ---- keys ----

  async createKey(input: NewKey): Promise<{ key: VirtualKey; secret: string }> {
    const k = normalizeNewKey(input);
    const g = generateSecret();
    this.db.prepare(`INSERT INTO keys (id, name, hint, secret_hash, models, budget_day_usd, budget_month_usd,
      rpm, tpm, local_only, reasoning, cache, metadata, created_at, revoked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`).run(
      g.id, k.name, g.hint, g.hash, k.models === null ? null : JSON.stringify(k.models), k.budgetDayUsd,
      k.budgetMonthUsd, k.rpm, k.tpm, k.localOnly ? 1 : 0, k.reasoning, k.cache ? 1 : 0,
      JSON.stringify(k.metadata), this.now());
    const key = await this.getKey(g.id);
    if (!key) throw new GatewayError('internal_error', 'key vanished after insert');
    return { key, secret: g.secret };
  }

  async verifyKey(secret: string): Promise<VirtualKey | null> {
    const id = keyIdOfSecret(secret);
    if (id === null) return null;
    const row = this.db.prepare('SELECT * FROM keys WHERE id = ?').get(id) as (KeyRow & { secret_hash: Buffer }) | undefined;
    if (!row || !secretMatches(secret, row.secret_hash) || row.revoked_at !== null) return null;
    return keyFromRow(row);
  }

  async getKey(id: string): Promise<VirtualKey | null> {
    const row = this.db.prepare('SELECT * FROM keys WHERE id = ?').get(id) as KeyRow | undefined;
    return row ? keyFromRow(row) : null;
  }

  async listKeys(): Promise<VirtualKey[]> {
    return (this.db.prepare('SELECT * FROM keys ORDER BY created_at, id').all() as KeyRow[]).map(keyFromRow);
  }

  async revokeKey(id: string): Promise<boolean> {
    return this.db.prepare('UPDATE keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(this.now(), id).changes === 1;
  }

  // ---- spend ----

  // Prepared once: the gateway writes a spend batch every flush interval.
  private spendInsert: ((entries: SpendEntry[]) => void) | null = null;

  async recordSpend(entries: SpendEntry[]): Promise<void> {
    if (!this.spendInsert) {
      const ins = this.db.prepare(`INSERT INTO spend (ts, key_id, model, provider, input_tokens, output_tokens,
        reasoning_tokens, cached_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      this.spendInsert = this.db.transaction((batch: SpendEntry[]) => {
        for (const e of batch) {
          ins.run(e.ts, e.keyId, e.model, e.provider, e.inputTokens, e.outputTokens, e.reasoningTokens, e.cachedTokens, e.costUsd);
        }
      });
    }
    this.spendInsert(entries);
  }

  async spendSummary(q: SpendQuery): Promise<SpendRow[]> {
    const group = SPEND_GROUP[q.groupBy];
    const rows = this.db.prepare(`SELECT ${group} AS grp, COUNT(*) AS requests,
      SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(reasoning_tokens) AS reasoning,
      SUM(cached_tokens) AS cached, SUM(cost_usd) AS cost FROM spend
      WHERE ts >= ? AND ts < ? AND (? IS NULL OR key_id = ?)
      GROUP BY grp ORDER BY ${q.groupBy === 'day' ? 'grp ASC' : 'cost DESC, grp ASC'}`)
      .all(q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.keyId ?? null, q.keyId ?? null) as Array<{
        grp: string | null; requests: number; input: number; output: number; reasoning: number; cached: number; cost: number;
      }>;
    return rows.map((r) => ({
      group: r.grp, requests: r.requests, inputTokens: r.input, outputTokens: r.output,
      reasoningTokens: r.reasoning, cachedTokens: r.cached, costUsd: r.cost,
    }));
  }

  // ---- budgets ----

  private usage(keyId: string, period: string, now: number): { spentUsd: number; reservedUsd: number } {
    const spent = this.db.prepare('SELECT spent_usd FROM budget_spent WHERE key_id = ? AND period = ?')
      .get(keyId, period) as { spent_usd: number } | undefined;
    const held = this.db.prepare('SELECT COALESCE(SUM(amount_usd), 0) AS s FROM budget_holds WHERE key_id = ? AND expires_at > ?')
      .get(keyId, now) as { s: number };
    return { spentUsd: spent?.spent_usd ?? 0, reservedUsd: held.s };
  }

  async reserve(keyId: string, maxCostUsd: number): Promise<Reservation> {
    assertCost('maxCostUsd', maxCostUsd);
    const now = this.now();
    const p = periodsAt(now);
    return this.db.transaction((): Reservation => {
      this.db.prepare('DELETE FROM budget_holds WHERE key_id = ? AND expires_at <= ?').run(keyId, now);
      const limits = this.db.prepare('SELECT budget_day_usd AS d, budget_month_usd AS m FROM keys WHERE id = ?')
        .get(keyId) as { d: number | null; m: number | null } | undefined;
      const err = admissionError({
        limits: { dayUsd: limits?.d ?? null, monthUsd: limits?.m ?? null },
        day: this.usage(keyId, p.day, now), month: this.usage(keyId, p.month, now), maxCostUsd, now,
      });
      if (err) throw err;
      const r: Reservation = { id: randomUUID(), keyId, maxCostUsd, expiresAt: now + this.ttlMs };
      this.db.prepare('INSERT INTO budget_holds (id, key_id, amount_usd, expires_at) VALUES (?, ?, ?, ?)')
        .run(r.id, keyId, maxCostUsd, r.expiresAt);
      return r;
    }).immediate();
  }

  async settle(r: Reservation, actualCostUsd: number): Promise<void> {
    assertCost('actualCostUsd', actualCostUsd);
    const p = periodsAt(this.now());
    const add = this.db.prepare(`INSERT INTO budget_spent (key_id, period, spent_usd) VALUES (?, ?, ?)
      ON CONFLICT (key_id, period) DO UPDATE SET spent_usd = spent_usd + excluded.spent_usd`);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM budget_holds WHERE id = ?').run(r.id);
      add.run(r.keyId, p.day, actualCostUsd);
      add.run(r.keyId, p.month, actualCostUsd);
    }).immediate();
  }

  async release(r: Reservation): Promise<void> {
    this.db.prepare('DELETE FROM budget_holds WHERE id = ?').run(r.id);
  }

  async status(keyId: string): Promise<{ day: PeriodStatus; month: PeriodStatus }> {
    const now = this.now();
    const p = periodsAt(now);
    const key = await this.getKey(keyId);
    return {
      day: { period: p.day, limitUsd: key?.budgetDayUsd ?? null, ...this.usage(keyId, p.day, now) },
      month: { period: p.month, limitUsd: key?.budgetMonthUsd ?? null, ...this.usage(keyId, p.month, now) },
    };
  }

  // ---- response cache ----

  async get(key: string): Promise<CachedResponse | null> {
    const row = this.db.prepare('SELECT value FROM response_cache WHERE key = ? AND expires_at > ?')
      .get(key, this.now()) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as CachedResponse) : null;
  }

  async set(key: string, value: CachedResponse, ttlSeconds: number): Promise<void> {
    const now = this.now();
    this.db.prepare(`INSERT INTO response_cache (key, value, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`)
      .run(key, JSON.stringify(value), now + ttlSeconds * 1000);
    // Expired entries are unreachable already; delete them now and then so the file stays small.
    if (++this.cacheWrites % 256 === 0) this.db.prepare('DELETE FROM response_cache WHERE expires_at <= ?').run(now);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
