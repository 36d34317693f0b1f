/**
 * A Lua script run by hash (EVALSHA), loaded on first use or after a Redis restart (NOSCRIPT).
 * Lua runs atomically in Redis: that is what makes check-then-increment safe across instances.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export class RedisScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

/** Lua has no null: an absent limit travels as the empty string. */
export const limitArg = (v: number | null): string => (v === null ? '' : String(v));
