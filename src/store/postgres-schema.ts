/**
 * Postgres tables for keys, spend, budgets, the response cache and the request log. Instances
 * starting together would race on CREATE TABLE IF NOT EXISTS (it is not atomic against a
 * concurrent create), so the migration runs under a transaction-scoped advisory lock.
 */
import type pg from 'pg';

const SCHEMA_LOCK_ID = 7_531_902; // arbitrary, constant: one lock for Switchyard's schema

const DDL = `
CREATE TABLE IF NOT EXISTS keys (
  id text PRIMARY KEY, name text NOT NULL, hint text NOT NULL, secret_hash bytea NOT NULL,
  models text, budget_day_usd double precision, budget_month_usd double precision, rpm integer, tpm integer,
  local_only boolean NOT NULL, reasoning text NOT NULL, cache boolean NOT NULL, metadata text NOT NULL,
  created_at bigint NOT NULL, revoked_at bigint);
CREATE TABLE IF NOT EXISTS spend (
  ts bigint NOT NULL, key_id text, model text NOT NULL, provider text,
  input_tokens bigint NOT NULL, output_tokens bigint NOT NULL, reasoning_tokens bigint NOT NULL,
  cached_tokens bigint NOT NULL, cost_usd double precision NOT NULL);
CREATE INDEX IF NOT EXISTS spend_ts ON spend (ts);
CREATE INDEX IF NOT EXISTS spend_key_ts ON spend (key_id, ts);
CREATE TABLE IF NOT EXISTS budget_spent (
  key_id text NOT NULL, period text NOT NULL, spent_usd double precision NOT NULL, PRIMARY KEY (key_id, period));
CREATE TABLE IF NOT EXISTS budget_holds (
  id text PRIMARY KEY, key_id text NOT NULL, amount_usd double precision NOT NULL, expires_at bigint NOT NULL);
CREATE INDEX IF NOT EXISTS budget_holds_key ON budget_holds (key_id);
CREATE TABLE IF NOT EXISTS response_cache (key text PRIMARY KEY, value text NOT NULL, expires_at bigint NOT NULL);
CREATE TABLE IF NOT EXISTS request_log (
  id text NOT NULL, ts bigint NOT NULL, key_id text, model text NOT NULL, served_model text, provider text,
  deployment text, stream boolean NOT NULL, status integer NOT NULL, error_code text,
  input_tokens bigint NOT NULL, output_tokens bigint NOT NULL, reasoning_tokens bigint NOT NULL,
  cached_tokens bigint NOT NULL, usage_estimated boolean NOT NULL, cost_usd double precision NOT NULL,
  latency_ms integer NOT NULL, ttft_ms integer, route text, meta text);
CREATE INDEX IF NOT EXISTS request_log_ts ON request_log (ts);
`;

export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_ID]);
    await c.query(DDL);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** Runs `fn` in a transaction on one pooled connection; rolls back on any throw. */
export async function withTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}
