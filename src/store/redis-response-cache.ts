/**
 * The exact-match response cache in Redis: one string per entry. Redis expires it (PX), and the
 * entry also carries its deadline by the injected clock, so expiry means the same thing here as
 * in the SQL backends (and tests need not sleep).
 */
import type { Redis } from 'ioredis';
import type { CachedResponse, Clock, ResponseCache } from './store.js';

export class RedisResponseCache implements ResponseCache {
  private readonly now: Clock;

  constructor(private readonly opts: { redis: Redis; prefix: string; now?: Clock }) {
    this.now = opts.now ?? Date.now;
  }

  async get(key: string): Promise<CachedResponse | null> {
    const raw = await this.opts.redis.get(`${this.opts.prefix}cache:${key}`);
    if (raw === null) return null;
    const entry = JSON.parse(raw) as { expiresAt: number; value: CachedResponse };
    return entry.expiresAt > this.now() ? entry.value : null;
  }

  async set(key: string, value: CachedResponse, ttlSeconds: number): Promise<void> {
    const ttlMs = Math.max(1, Math.round(ttlSeconds * 1000));
    const entry = { expiresAt: this.now() + ttlMs, value };
    await this.opts.redis.set(`${this.opts.prefix}cache:${key}`, JSON.stringify(entry), 'PX', ttlMs);
  }
}
