/**
 * Postgres backend: keys and spend shared by every instance; budgets as transactions that lock
 * the key's row (`SELECT … FOR UPDATE`), so concurrent reservations for one key queue up behind
 * each other while other keys proceed. The cache is a table; rate limits stay in memory (per
 * process) unless Redis is configured (create-store.ts), because a database round trip per
 * request for a counter is the wrong tool.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { admissionError, assertCost, DEFAULT_RESERVATION_TTL_MS, periodsAt } from './budget-periods.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import { migratePostgres, withTransaction } from './postgres-schema.js';
import type {
  BudgetStore, CachedResponse, Clock, KeyStore, NewKey, PeriodStatus, RateLimiter, Reservation,
  ResponseCache, SpendEntry, SpendQuery, SpendRow, SpendStore, Store, VirtualKey,
} from './store.js';
import { generateSecret, keyFromRow, keyIdOfSecret, normalizeNewKey, secretMatches, type KeyRow } from './virtual-key.js';

export interface PostgresStoreOptions {
  /** An existing pool (shared with the usage log), or a URL to open one. */
  pool?: pg.Pool;
  url?: string;
  now?: Clock;
  reservationTtlMs?: number;
}

const SPEND_GROUP: Record<SpendQuery['groupBy'], string> = {
  key: 'key_id',
  model: 'model',
  provider: 'provider',
  day: "to_char(to_timestamp(ts / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
};

type Queryable = pg.Pool | pg.PoolClient;
interface PeriodUse { spentUsd: number; reservedUsd: number }

export class PostgresStore implements Store, KeyStore, SpendStore, BudgetStore, ResponseCache {
  readonly backend = 'postgres';
  readonly keys = this;
  readonly spend = this;
  readonly budgets = this;
  readonly cache = this;
  readonly rateLimiter: RateLimiter;
  readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly now: Clock;
  private readonly ttlMs: number;

  private constructor(pool: pg.Pool, ownsPool: boolean, opts: PostgresStoreOptions) {
    this.pool = pool;
    this.ownsPool = ownsPool;
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    this.rateLimiter = new MemoryRateLimiter({ now: this.now });
  }

  /** Connects and creates the tables if needed. */
  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    if (!opts.pool && !opts.url) throw new Error('PostgresStore needs a pool or a url');
    const pool = opts.pool ?? new pg.Pool({ connectionString: opts.url, max: 10 });
    // An idle connection the server ends (a restart, an administrator, a proxy's idle limit) is an
    // 'error' event on the pool, which drops that client and opens a new one when needed; with no
    // listener, Node would turn the event into an uncaught exception and end the gateway.
    if (!opts.pool) pool.on('error', (err) => console.error(`switchyard: a PostgreSQL connection was closed by the server (it is replaced when needed): ${err.message}`));
    const store = new PostgresStore(pool, !opts.pool, opts);
    try {
      await migratePostgres(pool);
    } catch (err) {
      if (store.ownsPool) await pool.end().catch(() => undefined);
      throw err;
    }
    return store;
  }

  // ---- keys ----

  async createKey(input: NewKey): Promise<{ key: VirtualKey; secret: string }> {
    const k = normalizeNewKey(input);
    const g = generateSecret();
    const { rows } = await this.pool.query<KeyRow>(`INSERT INTO keys (id, name, hint, secret_hash, models,
      budget_day_usd, budget_month_usd, rpm, tpm, local_only, reasoning, cache, metadata, created_at, revoked_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL) RETURNING *`, [
      g.id, k.name, g.hint, g.hash, k.models === null ? null : JSON.stringify(k.models), k.budgetDayUsd,
      k.budgetMonthUsd, k.rpm, k.tpm, k.localOnly, k.reasoning, k.cache, JSON.stringify(k.metadata), this.now()]);
    return { key: keyFromRow(rows[0]), secret: g.secret };
  }

  async verifyKey(secret: string): Promise<VirtualKey | null> {
    const id = keyIdOfSecret(secret);
    if (id === null) return null;
    const { rows } = await this.pool.query<KeyRow & { secret_hash: Buffer }>('SELECT * FROM keys WHERE id = $1', [id]);
    const row = rows[0];
    if (!row || !secretMatches(secret, row.secret_hash) || row.revoked_at !== null) return null;
    return keyFromRow(row);
  }

  async getKey(id: string): Promise<VirtualKey | null> {
    const { rows } = await this.pool.query<KeyRow>('SELECT * FROM keys WHERE id = $1', [id]);
    return rows[0] ? keyFromRow(rows[0]) : null;
  }

  async listKeys(): Promise<VirtualKey[]> {
    const { rows } = await this.pool.query<KeyRow>('SELECT * FROM keys ORDER BY created_at, id');
    return rows.map(keyFromRow);
  }

  async revokeKey(id: string): Promise<boolean> {
    const r = await this.pool.query('UPDATE keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [this.now(), id]);
    return r.rowCount === 1;
  }

  // ---- spend ----

  async recordSpend(entries: SpendEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // One multi-row INSERT per call: one round trip however many entries a batch carries.
    const values: unknown[] = [];
    const tuples = entries.map((e, i) => {
      values.push(e.ts, e.keyId, e.model, e.provider, e.inputTokens, e.outputTokens, e.reasoningTokens, e.cachedTokens, e.costUsd);
      const b = i * 9;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9})`;
    });
    await this.pool.query(`INSERT INTO spend (ts, key_id, model, provider, input_tokens, output_tokens,
      reasoning_tokens, cached_tokens, cost_usd) VALUES ${tuples.join(', ')}`, values);
  }

  async spendSummary(q: SpendQuery): Promise<SpendRow[]> {
    const group = SPEND_GROUP[q.groupBy];
    const { rows } = await this.pool.query<{
      grp: string | null; requests: string; input: string; output: string; reasoning: string; cached: string; cost: number;
    }>(`SELECT ${group} AS grp, COUNT(*) AS requests, SUM(input_tokens) AS input, SUM(output_tokens) AS output,
      SUM(reasoning_tokens) AS reasoning, SUM(cached_tokens) AS cached, SUM(cost_usd) AS cost FROM spend
      WHERE ts >= $1 AND ts < $2 AND ($3::text IS NULL OR key_id = $3)
      GROUP BY grp ORDER BY ${q.groupBy === 'day' ? 'grp ASC' : 'cost DESC, grp ASC'}`,
    [q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.keyId ?? null]);
    return rows.map((r) => ({
      group: r.grp, requests: Number(r.requests), inputTokens: Number(r.input), outputTokens: Number(r.output),
      reasoningTokens: Number(r.reasoning), cachedTokens: Number(r.cached), costUsd: Number(r.cost),
    }));
  }

  // ---- budgets ----

  /** Settled spend for the day and month, and live holds, in one round trip. */
  private async usage(c: Queryable, keyId: string, now: number): Promise<{ day: PeriodUse; month: PeriodUse }> {
    const p = periodsAt(now);
    const { rows } = await c.query<{ day: number | null; month: number | null; held: number }>(`SELECT
      (SELECT spent_usd FROM budget_spent WHERE key_id = $1 AND period = $2) AS day,
      (SELECT spent_usd FROM budget_spent WHERE key_id = $1 AND period = $3) AS month,
      (SELECT COALESCE(SUM(amount_usd), 0) FROM budget_holds WHERE key_id = $1 AND expires_at > $4) AS held`,
    [keyId, p.day, p.month, now]);
    const reservedUsd = Number(rows[0].held);
    return {
      day: { spentUsd: Number(rows[0].day ?? 0), reservedUsd },
      month: { spentUsd: Number(rows[0].month ?? 0), reservedUsd },
    };
  }

  async reserve(keyId: string, maxCostUsd: number): Promise<Reservation> {
    assertCost('maxCostUsd', maxCostUsd);
    const now = this.now();
    return withTransaction(this.pool, async (c) => {
      // The row lock is the serialization point: every reservation for this key waits here.
      const { rows } = await c.query<{ d: number | null; m: number | null }>(
        'SELECT budget_day_usd AS d, budget_month_usd AS m FROM keys WHERE id = $1 FOR UPDATE', [keyId]);
      const limits = { dayUsd: rows[0]?.d ?? null, monthUsd: rows[0]?.m ?? null };
      await c.query('DELETE FROM budget_holds WHERE key_id = $1 AND expires_at <= $2', [keyId, now]);
      if (limits.dayUsd !== null || limits.monthUsd !== null) {
        const err = admissionError({ limits, ...await this.usage(c, keyId, now), maxCostUsd, now });
        if (err) throw err;
      }
      const r: Reservation = { id: randomUUID(), keyId, maxCostUsd, expiresAt: now + this.ttlMs };
      await c.query('INSERT INTO budget_holds (id, key_id, amount_usd, expires_at) VALUES ($1, $2, $3, $4)',
        [r.id, keyId, maxCostUsd, r.expiresAt]);
      return r;
    });
  }

  async settle(r: Reservation, actualCostUsd: number): Promise<void> {
    assertCost('actualCostUsd', actualCostUsd);
    const p = periodsAt(this.now());
    await withTransaction(this.pool, async (c) => {
      await c.query('DELETE FROM budget_holds WHERE id = $1', [r.id]);
      await c.query(`INSERT INTO budget_spent (key_id, period, spent_usd) VALUES ($1, $2, $4), ($1, $3, $4)
        ON CONFLICT (key_id, period) DO UPDATE SET spent_usd = budget_spent.spent_usd + excluded.spent_usd`,
      [r.keyId, p.day, p.month, actualCostUsd]);
    });
  }

  async release(r: Reservation): Promise<void> {
    await this.pool.query('DELETE FROM budget_holds WHERE id = $1', [r.id]);
  }

  async status(keyId: string): Promise<{ day: PeriodStatus; month: PeriodStatus }> {
    const now = this.now();
    const p = periodsAt(now);
    const key = await this.getKey(keyId);
    const u = await this.usage(this.pool, keyId, now);
    return {
      day: { period: p.day, limitUsd: key?.budgetDayUsd ?? null, ...u.day },
      month: { period: p.month, limitUsd: key?.budgetMonthUsd ?? null, ...u.month },
    };
  }

  // ---- response cache ----

  async get(key: string): Promise<CachedResponse | null> {
    const { rows } = await this.pool.query<{ value: string }>(
      'SELECT value FROM response_cache WHERE key = $1 AND expires_at > $2', [key, this.now()]);
    return rows[0] ? (JSON.parse(rows[0].value) as CachedResponse) : null;
  }

  async set(key: string, value: CachedResponse, ttlSeconds: number): Promise<void> {
    const now = this.now();
    await this.pool.query(`INSERT INTO response_cache (key, value, expires_at) VALUES ($1, $2, $3)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    [key, JSON.stringify(value), now + ttlSeconds * 1000]);
    if (Math.random() < 1 / 256) await this.pool.query('DELETE FROM response_cache WHERE expires_at <= $1', [now]);
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
