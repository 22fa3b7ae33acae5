import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isTokenRevoked, revokeToken, signUserToken } from '../src/auth/index.js';
import { createRedis, type Redis, redisKeys } from '../src/redis/index.js';
import { testEnv, waitFor } from '../src/testing/index.js';
import { captureLogger } from './http-helpers.js';

const { logger } = captureLogger('deny-list-test');
let redis: Redis;
let subscriber: Redis;

beforeAll(() => {
  redis = createRedis(testEnv().redisUrl, { logger, name: 'deny-list-test' });
  subscriber = createRedis(testEnv().redisUrl, { logger, name: 'deny-list-test-sub' });
});

afterAll(async () => {
  await Promise.all([redis.quit(), subscriber.quit()]);
});

describe('deny-list', () => {
  test('revokeToken marks the jti until the token expires and announces it', async () => {
    const received: string[] = [];
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === redisKeys.revocationsChannel) received.push(message);
    });
    await subscriber.subscribe(redisKeys.revocationsChannel);
    const { claims } = signUserToken('user-revoked', 'deny-list-secret-0123456789abcdef0123');
    expect(await isTokenRevoked(redis, claims.jti)).toBe(false);

    await revokeToken(redis, claims);

    expect(await isTokenRevoked(redis, claims.jti)).toBe(true);
    const expiresAtMs = await redis.pexpiretime(redisKeys.denyList(claims.jti));
    expect(expiresAtMs).toBe(claims.exp * 1000);
    await waitFor(() => received.includes(claims.jti), { message: 'revocation was not published' });
    await redis.del(redisKeys.denyList(claims.jti));
  });

  test('an already expired token is announced but leaves no key behind', async () => {
    const { claims } = signUserToken(
      'user-old',
      'deny-list-secret-0123456789abcdef0123',
      new Date(Date.now() - 20 * 24 * 3600e3),
    );
    await revokeToken(redis, claims);
    expect(await redis.exists(redisKeys.denyList(claims.jti))).toBe(0);
  });
});
