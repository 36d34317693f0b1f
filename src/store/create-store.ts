/**
 * Picks and wires the backends. `{sqlitePath}`: everything embedded in one file (one process).
 * `{postgresUrl}`: keys, spend and budgets shared in Postgres. `{postgresUrl, redisUrl}`: keys
 * and spend in Postgres; rate limits, budget reservations and the cache in Redis, so any number
 * of instances share them. Key lookups always go through CachedKeyStore (see its TTL caveat).
 */
import type pg from 'pg';
import { CachedKeyStore, DEFAULT_KEY_CACHE_TTL_MS } from './cached-key-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Clock, Store } from './store.js';
import type Database from 'better-sqlite3';

export const DEFAULT_SQLITE_PATH = './data/switchyard.db';

interface CommonOptions {
  /** How long a verified key is trusted without asking the database (ms; 0 disables). */
  keyCacheTtlMs?: number;
  reservationTtlMs?: number;
  now?: Clock;
}

export type StoreConfig =
  | ({ /** Default ./data/switchyard.db */ sqlitePath?: string; checkpointer?: { adopt(db: Database.Database): void } | null } & CommonOptions)
  | ({ postgresUrl: string; redisUrl?: string; /** Namespace for every Redis key. */ redisPrefix?: string } & CommonOptions);

export interface ComposedStore extends Store {
  keys: CachedKeyStore;
  /** The Postgres pool when Postgres is configured, for the request log (PostgresUsageLog). */
  pgPool?: pg.Pool;
}

export async function createStore(cfg: StoreConfig): Promise<ComposedStore> {
  const keyCache = (inner: Store['keys']) => new CachedKeyStore(inner, { ttlMs: cfg.keyCacheTtlMs ?? DEFAULT_KEY_CACHE_TTL_MS, now: cfg.now });
  if (!('postgresUrl' in cfg)) {
    const s = new SqliteStore({ path: cfg.sqlitePath ?? DEFAULT_SQLITE_PATH, now: cfg.now, reservationTtlMs: cfg.reservationTtlMs, checkpointer: cfg.checkpointer });
    return withKeys(s, keyCache(s.keys));
  }
  // pg and ioredis load only when configured: an embedded gateway does not pay their memory.
  const { PostgresStore } = await import('./postgres-store.js');
  const pgStore = await PostgresStore.open({ url: cfg.postgresUrl, now: cfg.now, reservationTtlMs: cfg.reservationTtlMs });
  const keys = keyCache(pgStore.keys);
  if (!cfg.redisUrl) return { ...withKeys(pgStore, keys), pgPool: pgStore.pool };

  const [{ Redis }, { RedisBudgetStore }, { RedisRateLimiter }, { RedisResponseCache }] = await Promise.all([
    import('ioredis'), import('./redis-budget-store.js'), import('./redis-rate-limiter.js'), import('./redis-response-cache.js'),
  ]);
  const redis = new Redis(cfg.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  // While Redis is unreachable every command rejects to its caller (who answers the client);
  // the connection-level event would only repeat that, so it is not logged twice.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    await pgStore.close();
    throw err;
  }
  const prefix = cfg.redisPrefix ?? 'switchyard:';
  return {
    backend: 'postgres+redis',
    keys,
    spend: pgStore.spend,
    budgets: new RedisBudgetStore({
      redis, prefix, now: cfg.now, reservationTtlMs: cfg.reservationTtlMs,
      limitsOf: async (id) => {
        const k = await keys.getKey(id);
        return { dayUsd: k?.budgetDayUsd ?? null, monthUsd: k?.budgetMonthUsd ?? null };
      },
    }),
    rateLimiter: new RedisRateLimiter({ redis, prefix, now: cfg.now }),
    cache: new RedisResponseCache({ redis, prefix, now: cfg.now }),
    pgPool: pgStore.pool,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
      await pgStore.close();
    },
  };
}

function withKeys(s: Store, keys: CachedKeyStore): ComposedStore {
  return {
    backend: s.backend, keys, spend: s.spend, budgets: s.budgets, rateLimiter: s.rateLimiter, cache: s.cache,
    close: () => s.close(),
  };
}
