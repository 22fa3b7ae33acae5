import { createHash } from 'node:crypto';
import { type Redis, redisKeys } from '@chat/shared/redis';

/** A fixed-window hit counted in the same round trip as the revocation check. */
export interface WindowHit {
  key: string;
  windowMs: number;
}

export interface CallerCheck {
  revoked: boolean;
  /** The window's count so far and the ms left in it; absent when revoked (nothing is counted) or not asked. */
  hit?: { count: number; ttlMs: number };
}

// Revocation first: a revoked token's request counts against nobody's budget. The INCR/expiry pair is the
// rate-limit store's fixed window (one atomic step, shared by every gateway).
const CHECK = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {1} end
if #KEYS < 2 then return {0} end
local count = redis.call('INCR', KEYS[2])
local ttl = redis.call('PTTL', KEYS[2])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {0, count, ttl}
`;
const CHECK_SHA = createHash('sha1').update(CHECK).digest('hex');

const isNoScript = (err: unknown) => err instanceof Error && err.message.startsWith('NOSCRIPT');

/**
 * Every Redis question the gateway asks about an authenticated request, in one round trip: is the token's
 * jti on the deny-list, and (for API routes) the per-user rate-limit hit. By SHA; the script text is sent
 * only when the server does not have it yet.
 */
export async function checkCaller(redis: Redis, jti: string, hit?: WindowHit): Promise<CallerCheck> {
  const keys = hit ? [redisKeys.denyList(jti), hit.key] : [redisKeys.denyList(jti)];
  const args = hit ? [String(hit.windowMs)] : [];
  let reply: unknown;
  try {
    reply = await redis.evalsha(CHECK_SHA, keys.length, ...keys, ...args);
  } catch (err) {
    if (!isNoScript(err)) throw err;
    reply = await redis.eval(CHECK, keys.length, ...keys, ...args);
  }
  if (!Array.isArray(reply)) throw new Error('unexpected caller check reply');
  if (Number(reply[0]) === 1) return { revoked: true };
  return hit
    ? { revoked: false, hit: { count: Number(reply[1]), ttlMs: Number(reply[2]) } }
    : { revoked: false };
}
