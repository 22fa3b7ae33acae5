import { createHash } from 'node:crypto';
import type { RevocableClaims } from '@chat/shared/auth';
import { type Redis, redisKeys } from '@chat/shared/redis';
import { fixedWindowHitLua } from './rate-limit.store.js';

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

// Revocation first (the jti's deny-list entry, or the user's "signed out everywhere" mark at or after the
// token's iat): a revoked token's request counts against nobody's budget. The INCR/expiry pair is the
// rate-limit store's fixed window (one atomic step, shared by every gateway).
const CHECK = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {1} end
local before = redis.call('GET', KEYS[2])
if before and string.match(before, '^%d+$') and tonumber(ARGV[1]) <= tonumber(before) then return {1} end
if #KEYS < 3 then return {0} end${fixedWindowHitLua('KEYS[3]', 'ARGV[2]')}
return {0, count, ttl}
`;
const CHECK_SHA = createHash('sha1').update(CHECK).digest('hex');

const isNoScript = (err: unknown) => err instanceof Error && err.message.startsWith('NOSCRIPT');

/**
 * Every Redis question the gateway asks about an authenticated request, in one round trip: is the token
 * revoked (its jti denied, or issued at or before its user's "signed out everywhere" mark — the rule of
 * `isRevokedBy` in @chat/shared/auth), and (for API routes) the per-user rate-limit hit. By SHA; the script text is sent
 * only when the server does not have it yet.
 */
export async function checkCaller(
  redis: Redis,
  claims: RevocableClaims,
  hit?: WindowHit,
): Promise<CallerCheck> {
  const revocationKeys = [redisKeys.denyList(claims.jti), redisKeys.tokensRevokedBefore(claims.sub)];
  const keys = hit ? [...revocationKeys, hit.key] : revocationKeys;
  const args = hit ? [String(claims.iat), String(hit.windowMs)] : [String(claims.iat)];
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
