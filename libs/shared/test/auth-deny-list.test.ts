import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  issueTimeFor,
  isTokenRevoked,
  parseRevocation,
  revokedTokens,
  revokeToken,
  revokeUserTokens,
  signUserToken,
} from '../src/auth/index.js';
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
    expect(await isTokenRevoked(redis, claims)).toBe(false);

    await revokeToken(redis, claims);

    expect(await isTokenRevoked(redis, claims)).toBe(true);
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

  test('revokeUserTokens revokes every token of the user issued up to now, announces it, and a later token passes', async () => {
    const secret = 'deny-list-secret-0123456789abcdef0123';
    const userId = `user-all-${Date.now()}`;
    const received: string[] = [];
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === redisKeys.revocationsChannel) received.push(message);
    });
    await subscriber.subscribe(redisKeys.revocationsChannel);
    const earlier = signUserToken(userId, secret, new Date(Date.now() - 60_000)).claims;
    const current = signUserToken(userId, secret).claims;
    const someoneElse = signUserToken(`${userId}-other`, secret).claims;

    const before = await revokeUserTokens(redis, userId);

    expect(await revokedTokens(redis, [earlier, current, someoneElse])).toEqual([true, true, false]);
    await waitFor(() => received.includes(`user:${userId}:${before}`), { message: 'not announced' });
    expect(parseRevocation(`user:${userId}:${before}`)).toEqual({ kind: 'user', userId, before });
    // A login in the same second gets a token dated just after the mark, which passes.
    const issuedAt = await issueTimeFor(redis, userId, before * 1000 + 500);
    expect(issuedAt.getTime()).toBe((before + 1) * 1000);
    const fresh = signUserToken(userId, secret, issuedAt).claims;
    expect(await isTokenRevoked(redis, fresh)).toBe(false);
    expect(await redis.ttl(redisKeys.tokensRevokedBefore(userId))).toBeGreaterThan(14 * 24 * 3600);
    await redis.del(redisKeys.tokensRevokedBefore(userId));
  });

  test('parseRevocation reads a bare jti as one token and refuses malformed user marks', () => {
    expect(parseRevocation('0b6c1f2e-jti')).toEqual({ kind: 'token', jti: '0b6c1f2e-jti' });
    expect(parseRevocation('user:abc:notanumber')).toBeUndefined();
    expect(parseRevocation('')).toBeUndefined();
  });
});
