import type { Redis } from 'ioredis';
import { prefixed, redisKeys } from '../redis/keys.js';
import { USER_TOKEN } from './constants.js';

/** What a revocation check needs of a token's claims. */
export interface RevocableClaims {
  sub: string;
  jti: string;
  iat: number;
}

/** A message on `chat:revocations`: one token (a bare jti) or every token of a user issued at or before `before`. */
export type Revocation = { kind: 'token'; jti: string } | { kind: 'user'; userId: string; before: number };

const USER_PREFIX = 'user:';

/** Parses a `chat:revocations` message; undefined for anything malformed. */
export function parseRevocation(message: string): Revocation | undefined {
  if (message.length === 0 || message.length > 300) return undefined;
  if (!message.startsWith(USER_PREFIX)) return { kind: 'token', jti: message };
  const match = /^user:([^:]{1,200}):(\d{1,12})$/.exec(message);
  if (!match?.[1] || !match[2]) return undefined;
  return { kind: 'user', userId: match[1], before: Number(match[2]) };
}

/**
 * Revokes a user token: marks its jti in the deny-list until the token would expire anyway, then
 * announces it on `chat:revocations` so realtime nodes drop the sockets opened with it.
 */
export async function revokeToken(redis: Redis, claims: { jti: string; exp: number }): Promise<void> {
  // An already-expired token needs no deny-list entry; the announcement still closes its sockets.
  if (claims.exp > Math.floor(Date.now() / 1000)) {
    await redis.set(redisKeys.denyList(claims.jti), '1', 'EXAT', claims.exp);
  }
  await redis.publish(prefixed(redis, redisKeys.revocationsChannel), claims.jti);
}

/**
 * Revokes every token of `userId` issued up to now (whole seconds, like `iat`): stores the mark for as long
 * as a token lives, then announces it so realtime nodes close that user's sockets. Returns the mark.
 */
export async function revokeUserTokens(
  redis: Redis,
  userId: string,
  now: number = Date.now(),
): Promise<number> {
  const before = Math.floor(now / 1000);
  await redis.set(redisKeys.tokensRevokedBefore(userId), String(before), 'EX', USER_TOKEN.ttlSeconds);
  await redis.publish(prefixed(redis, redisKeys.revocationsChannel), `${USER_PREFIX}${userId}:${before}`);
  return before;
}

/** The rule: a token is revoked when its jti is denied or it was issued at or before its user's mark. */
export function isRevokedBy(claims: RevocableClaims, denied: boolean, revokedBefore: number | null): boolean {
  return denied || (revokedBefore !== null && claims.iat <= revokedBefore);
}

const markOf = (value: string | null | undefined): number | null =>
  value === null || value === undefined || !/^\d+$/.test(value) ? null : Number(value);

/** True when the token is revoked (its jti, or every token of its user up to a time); one round trip. */
export async function isTokenRevoked(redis: Redis, claims: RevocableClaims): Promise<boolean> {
  const [denied, before] = await redis.mget(
    redisKeys.denyList(claims.jti),
    redisKeys.tokensRevokedBefore(claims.sub),
  );
  return isRevokedBy(claims, denied !== null, markOf(before));
}

/** Which of `tokens` are revoked, in order; one MGET per thousand tokens. */
export async function revokedTokens(redis: Redis, tokens: readonly RevocableClaims[]): Promise<boolean[]> {
  const result: boolean[] = [];
  for (let start = 0; start < tokens.length; start += 1000) {
    const chunk = tokens.slice(start, start + 1000);
    const keys = chunk.flatMap((t) => [redisKeys.denyList(t.jti), redisKeys.tokensRevokedBefore(t.sub)]);
    const values = await redis.mget(...keys);
    chunk.forEach((token, i) => {
      result.push(isRevokedBy(token, values[2 * i] !== null, markOf(values[2 * i + 1])));
    });
  }
  return result;
}

/**
 * When a new token of `userId` may say it was issued: now, or just after their last "sign out everywhere"
 * when that was within this same second (a token issued in it would otherwise count as revoked).
 */
export async function issueTimeFor(redis: Redis, userId: string, now: number = Date.now()): Promise<Date> {
  const before = markOf(await redis.get(redisKeys.tokensRevokedBefore(userId)));
  if (before === null || Math.floor(now / 1000) > before) return new Date(now);
  return new Date((before + 1) * 1000);
}
