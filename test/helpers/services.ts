/**
 * Postgres and Redis for tests: where to find them, a throwaway database / key prefix per run,
 * and the skip rule. Unreachable servers skip the suites with the reason, except under CI
 * (env CI set), where the suites run anyway and fail on the connection error: CI must not
 * silently pass without them (scripts/ci-services.sh starts both).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

export const testPgUrl = process.env.SWITCHYARD_TEST_PG_URL ?? 'postgres://switchyard:switchyard@127.0.0.1:5432/postgres';
export const testRedisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const inCI = Boolean(process.env.CI);

/** Null when Postgres answers, otherwise why not. */
export async function probePostgres(): Promise<string | null> {
  const c = new pg.Client({ connectionString: testPgUrl, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function probeRedis(): Promise<string | null> {
  const r = new Redis(testRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    r.disconnect();
  }
}

/** The `skip` option for a suite needing a server: false under CI (so it fails loudly) or when reachable. */
export function skipUnlessReachable(what: string, url: string, problem: string | null): string | false {
  if (problem === null || inCI) return false;
  return `${what} unreachable at ${url} (${problem}); run scripts/ci-services.sh or set ${
    what === 'postgres' ? 'SWITCHYARD_TEST_PG_URL' : 'SWITCHYARD_TEST_REDIS_URL'}`;
}

/** A fresh database for this run; `drop` removes it (even with connections left open). */
export async function throwawayDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `switchyard_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testPgUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testPgUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: testPgUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A fresh Redis key namespace for this run; `cleanup` deletes every key under it. */
export function throwawayRedisPrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `switchyard-test-${randomBytes(6).toString('hex')}:`;
  return {
    prefix,
    async cleanup() {
      const r = new Redis(testRedisUrl);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          if (keys.length) await r.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        r.disconnect();
      }
    },
  };
}
