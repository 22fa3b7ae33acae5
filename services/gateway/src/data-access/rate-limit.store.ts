import { type Redis, redisKeys } from '@chat/shared/redis';
import type { RateLimitStore } from '../domain/rate-limit-rules.js';

/**
 * Lua counting one hit in the fixed window `key` (a KEYS entry) of `windowMs` (an ARGV entry) ms, leaving
 * `count` and `ttl` (ms left) in locals. INCR and the expiry in one atomic step: a crash between them cannot
 * leave a counter that never expires, and concurrent gateways share one count.
 */
export function fixedWindowHitLua(key: string, windowMs: string): string {
  return `
local count = redis.call('INCR', ${key})
local ttl = redis.call('PTTL', ${key})
if ttl < 0 then
  redis.call('PEXPIRE', ${key}, ${windowMs})
  ttl = tonumber(${windowMs})
end`;
}

const FIXED_WINDOW = `${fixedWindowHitLua('KEYS[1]', 'ARGV[1]')}
return {count, ttl}
`;

/** Fixed-window counters under `chat:ratelimit:{namespace}{bucket}:{id}`. */
export function createRateLimitStore(redis: Redis, namespace: string): RateLimitStore {
  return {
    async hit(key, windowMs) {
      const redisKey = redisKeys.rateLimit(`${namespace}${key.bucket}`, key.id);
      const reply = await redis.eval(FIXED_WINDOW, 1, redisKey, String(windowMs));
      if (!Array.isArray(reply)) throw new Error('unexpected rate-limit script reply');
      return { count: Number(reply[0]), ttlMs: Number(reply[1]) };
    },
  };
}
