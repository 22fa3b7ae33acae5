import type { Redis } from 'ioredis';
import { prefixed, redisKeys } from '../redis/keys.js';

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

/** True when `jti` is on the deny-list. */
export async function isTokenRevoked(redis: Redis, jti: string): Promise<boolean> {
  return (await redis.exists(redisKeys.denyList(jti))) === 1;
}
