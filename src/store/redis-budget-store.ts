/**
 * Budget reservations in Redis, shared by every instance. Per key: a hash of live holds
 * (id → amount), a sorted set of their expiry times, and one float counter of settled spend per
 * period. One Lua script drops expired holds, sums the rest and admits or refuses, atomically.
 * Limits come from the key store (Postgres, via the key cache): Redis holds no key data.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { GatewayError } from '../core/errors.js';
import { admissionError, assertCost, DEFAULT_RESERVATION_TTL_MS, EPSILON_USD, periodsAt } from './budget-periods.js';
import { limitArg, RedisScript } from './redis-script.js';
import type { BudgetLimits, BudgetStore, Clock, PeriodStatus, Reservation } from './store.js';

// KEYS: holds hash, expiry zset, day spent, month spent.
// ARGV: now, maxCost, dayLimit, monthLimit, holdId, expiresAt, epsilon, dryRun, holdTtlMs
// Returns {admitted (0/1), daySpent, monthSpent, held} — numbers as strings, since Redis would
// truncate Lua floats to integers in the reply.
const RESERVE = new RedisScript(`
local now = tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
if #expired > 0 then
  redis.call('HDEL', KEYS[1], unpack(expired))
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
end
local held = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do held = held + tonumber(v) end
local daySpent = tonumber(redis.call('GET', KEYS[3]) or '0')
local monthSpent = tonumber(redis.call('GET', KEYS[4]) or '0')
local maxCost = tonumber(ARGV[2])
local eps = tonumber(ARGV[7])
local ok = 1
if ARGV[3] ~= '' and daySpent + held + maxCost > tonumber(ARGV[3]) + eps then ok = 0 end
if ARGV[4] ~= '' and monthSpent + held + maxCost > tonumber(ARGV[4]) + eps then ok = 0 end
if ok == 1 and ARGV[8] == '0' then
  redis.call('HSET', KEYS[1], ARGV[5], ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[9])
  redis.call('PEXPIRE', KEYS[2], ARGV[9])
end
local f = function(x) return string.format('%.17g', x) end
return {ok, f(daySpent), f(monthSpent), f(held)}
`);

// KEYS: holds hash, expiry zset, day spent, month spent. ARGV: holdId, cost, dayTtlMs, monthTtlMs
const SETTLE = new RedisScript(`
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('INCRBYFLOAT', KEYS[3], ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('INCRBYFLOAT', KEYS[4], ARGV[2])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
return 1
`);

export interface RedisBudgetStoreOptions {
  redis: Redis;
  prefix: string;
  limitsOf: (keyId: string) => Promise<BudgetLimits>;
  now?: Clock;
  reservationTtlMs?: number;
}

const DAY_MS = 86_400_000;

export class RedisBudgetStore implements BudgetStore {
  private readonly now: Clock;
  private readonly ttlMs: number;

  constructor(private readonly opts: RedisBudgetStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  }

  private keys(keyId: string, now: number): string[] {
    const p = periodsAt(now);
    const base = `${this.opts.prefix}budget:{${keyId}}:`; // hash tag: one slot per key under Redis Cluster
    return [`${base}holds`, `${base}exp`, `${base}${p.day}`, `${base}${p.month}`];
  }

  private async evaluate(keyId: string, maxCostUsd: number, hold: Reservation | null, now: number) {
    const limits = await this.opts.limitsOf(keyId);
    const raw = await RESERVE.run(this.opts.redis, this.keys(keyId, now), [
      now, maxCostUsd, limitArg(limits.dayUsd), limitArg(limits.monthUsd), hold?.id ?? '', hold?.expiresAt ?? 0,
      EPSILON_USD, hold ? '0' : '1', this.ttlMs + 60_000,
    ]) as [number, string, string, string];
    const held = Number(raw[3]);
    return {
      admitted: raw[0] === 1, limits,
      day: { spentUsd: Number(raw[1]), reservedUsd: held },
      month: { spentUsd: Number(raw[2]), reservedUsd: held },
    };
  }

  async reserve(keyId: string, maxCostUsd: number): Promise<Reservation> {
    assertCost('maxCostUsd', maxCostUsd);
    const now = this.now();
    const r: Reservation = { id: randomUUID(), keyId, maxCostUsd, expiresAt: now + this.ttlMs };
    const e = await this.evaluate(keyId, maxCostUsd, r, now);
    if (e.admitted) return r;
    // The script refused; the shared rule turns its numbers into the client-facing error.
    throw admissionError({ limits: e.limits, day: e.day, month: e.month, maxCostUsd, now })
      ?? new GatewayError('budget_exceeded', "This key's budget would be exceeded.", { retryAfterSeconds: 1 });
  }

  async settle(r: Reservation, actualCostUsd: number): Promise<void> {
    assertCost('actualCostUsd', actualCostUsd);
    const now = this.now();
    const p = periodsAt(now);
    // Counters outlive their period by a day so `status` and late settles still find them.
    await SETTLE.run(this.opts.redis, this.keys(r.keyId, now), [
      r.id, actualCostUsd, p.dayEndsAt - now + DAY_MS, p.monthEndsAt - now + DAY_MS,
    ]);
  }

  async release(r: Reservation): Promise<void> {
    const [holds, exp] = this.keys(r.keyId, this.now());
    await this.opts.redis.multi().hdel(holds, r.id).zrem(exp, r.id).exec();
  }

  async status(keyId: string): Promise<{ day: PeriodStatus; month: PeriodStatus }> {
    const now = this.now();
    const p = periodsAt(now);
    const e = await this.evaluate(keyId, 0, null, now);
    return {
      day: { period: p.day, limitUsd: e.limits.dayUsd, ...e.day },
      month: { period: p.month, limitUsd: e.limits.monthUsd, ...e.month },
    };
  }
}
