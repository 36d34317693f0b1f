/**
 * Rate limits shared by every instance: the same fixed one-minute window as MemoryRateLimiter,
 * as one Redis hash per key and minute, checked and incremented by one Lua script.
 */
import type { Redis } from 'ioredis';
import { secondsToWindowEnd, WINDOW_MS } from './memory-rate-limiter.js';
import { limitArg, RedisScript } from './redis-script.js';
import type { Clock, RateDecision, RateLimiter, RateLimits } from './store.js';

// KEYS: window hash. ARGV: rpm, tpm, tokens, ttlMs. Returns 0 admitted, 1 over rpm, 2 over tpm.
// Mirrors rateDecision() in memory-rate-limiter.ts; keep the two in step.
const CONSUME = new RedisScript(`
local r = tonumber(redis.call('HGET', KEYS[1], 'r') or '0')
local t = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
local add = tonumber(ARGV[3])
if ARGV[1] ~= '' and r + 1 > tonumber(ARGV[1]) then return 1 end
if ARGV[2] ~= '' and t > 0 and t + math.max(1, add) > tonumber(ARGV[2]) then return 2 end
redis.call('HINCRBY', KEYS[1], 'r', 1)
if add > 0 then redis.call('HINCRBY', KEYS[1], 't', add) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 0
`);

// KEYS: window hash. ARGV: delta, ttlMs. Never lets the count go below zero.
const ADJUST = new RedisScript(`
local t = tonumber(redis.call('HGET', KEYS[1], 't') or '0') + tonumber(ARGV[1])
if t < 0 then t = 0 end
redis.call('HSET', KEYS[1], 't', t)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return t
`);

export class RedisRateLimiter implements RateLimiter {
  private readonly now: Clock;

  constructor(private readonly opts: { redis: Redis; prefix: string; now?: Clock }) {
    this.now = opts.now ?? Date.now;
  }

  private windowKey(keyId: string, windowStart: number): string {
    return `${this.opts.prefix}rl:{${keyId}}:${windowStart}`;
  }

  async consume(keyId: string, limits: RateLimits, tokens: number): Promise<RateDecision> {
    const now = this.now();
    const windowStart = now - (now % WINDOW_MS);
    const add = Math.max(0, Math.round(tokens));
    const code = await CONSUME.run(this.opts.redis, [this.windowKey(keyId, windowStart)],
      [limitArg(limits.rpm), limitArg(limits.tpm), add, 2 * WINDOW_MS]);
    if (code === 0) return { ok: true };
    return { ok: false, limit: code === 1 ? 'rpm' : 'tpm', retryAfterSeconds: secondsToWindowEnd(now, windowStart) };
  }

  async adjustTokens(keyId: string, delta: number): Promise<void> {
    const now = this.now();
    await ADJUST.run(this.opts.redis, [this.windowKey(keyId, now - (now % WINDOW_MS))], [Math.round(delta), 2 * WINDOW_MS]);
  }
}
