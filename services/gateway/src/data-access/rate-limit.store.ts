import { type Redis, redisKeys } from '@chat/shared/redis';
import type { RateLimitStore } from '../domain/rate-limit-rules.js';

// INCR and the expiry in one atomic step: a crash between them cannot leave a counter that never expires,
// and concurrent gateways share one count.
const FIXED_WINDOW = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
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
