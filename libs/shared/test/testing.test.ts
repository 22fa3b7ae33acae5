import { describe, expect, test } from 'vitest';
import { verifyInternalToken, verifyUserToken } from '../src/auth/index.js';
import {
  bearerFor,
  mongoUrlWithDb,
  newObjectId,
  TEST_SECRETS,
  testEnv,
  testMongoUrl,
  uniqueName,
  waitFor,
} from '../src/testing/index.js';

describe('testing helpers', () => {
  test('testEnv exposes the endpoints provided by the global setup', () => {
    const env = testEnv();
    expect(env.redisUrl).toMatch(/^redis:\/\//);
    expect(env.amqpUrl).toMatch(/^amqps?:\/\//);
    expect(env.mongoUrl).toMatch(/^mongodb(\+srv)?:\/\//);
  });

  test('uniqueName is unique, keeps the prefix and contains no dots', () => {
    const a = uniqueName('users.user-registered');
    expect(a).toMatch(/^users-user-registered-[0-9a-f]{12}$/);
    expect(uniqueName('q')).not.toBe(uniqueName('q'));
  });

  test('testMongoUrl puts a unique test database into the URL, keeping hosts and options', () => {
    expect(testMongoUrl('auth')).toMatch(/^mongodb.*\/test-auth-[0-9a-f]{12}(\?|$)/);
    expect(mongoUrlWithDb('mongodb://h:1/old?retryWrites=false', 'test-x')).toBe(
      'mongodb://h:1/test-x?retryWrites=false',
    );
    expect(mongoUrlWithDb('mongodb://a:1,b:2', 'test-y')).toBe('mongodb://a:1,b:2/test-y');
    expect(mongoUrlWithDb('mongodb://u:p@h:1/?tls=true', 'test-z')).toBe('mongodb://u:p@h:1/test-z?tls=true');
  });

  test('newObjectId returns distinct 24-hex ids starting with the current time', () => {
    const id = newObjectId();
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(Math.abs(Number.parseInt(id.slice(0, 8), 16) - Date.now() / 1000)).toBeLessThan(5);
    expect(newObjectId()).not.toBe(id);
  });

  test('waitFor resolves with the first truthy value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  test('waitFor rejects at the deadline with the message and the last error', async () => {
    await expect(waitFor(() => false, { timeoutMs: 50, message: 'never true' })).rejects.toThrow(
      'never true',
    );
    await expect(
      waitFor(
        () => {
          throw new Error('still broken');
        },
        { timeoutMs: 50 },
      ),
    ).rejects.toThrow(/still broken/);
  });

  test('bearerFor signs a user token and the matching internal token with TEST_SECRETS', () => {
    const userId = newObjectId();
    const { token, claims, internalToken } = bearerFor(userId);
    expect(TEST_SECRETS.jwt.length).toBeGreaterThanOrEqual(32);
    expect(TEST_SECRETS.internal.length).toBeGreaterThanOrEqual(32);
    expect(verifyUserToken(token, TEST_SECRETS.jwt)).toEqual(claims);
    expect(verifyInternalToken(internalToken, TEST_SECRETS.internal)).toEqual({
      userId,
      jti: claims.jti,
      tokenExp: claims.exp,
    });
  });
});
