import { isTokenRevoked, verifyUserToken } from '@chat/shared/auth';
import { createLogger } from '@chat/shared/logger';
import { createRedis, prefixed, type Redis, redisKeys } from '@chat/shared/redis';
import { bearerFor, newObjectId, TEST_SECRETS, testEnv } from '@chat/shared/testing';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  bodyOf,
  internalTokenFor,
  jwtFrom,
  newSignup,
  postJson,
  REDIS_PREFIX,
  signUpOn,
  useAuth,
} from './support/auth-app.js';

const auth = useAuth();
let redis: Redis;
let subscriber: Redis;
const logger = createLogger({ service: 'auth-test', level: 'silent' });

beforeAll(async () => {
  redis = createRedis(testEnv().redisUrl, { logger, name: 'auth-test', prefix: REDIS_PREFIX });
  subscriber = createRedis(testEnv().redisUrl, { logger, name: 'auth-test-sub', prefix: REDIS_PREFIX });
});

afterAll(async () => {
  await subscriber?.quit();
  await redis?.quit();
});

async function signedUp(): Promise<{ id: string; internalToken: string; jti: string; exp: number }> {
  const { user, res } = await signUpOn(auth);
  return { id: user._id, ...internalTokenFor(jwtFrom(res)) };
}

const me = (headers: Record<string, string>) => fetch(`${auth.url}/api/auth/me`, { headers });

describe('POST /api/auth/logout-all', () => {
  test('revokes every token of the caller issued so far, announces it, clears the cookie; a login right after works', async () => {
    const body = newSignup();
    const signup = await postJson(`${auth.url}/api/auth/signup`, body);
    const first = verifyUserToken(jwtFrom(signup), TEST_SECRETS.jwt);
    const login = await postJson(`${auth.url}/api/auth/login`, {
      username: body.username,
      password: body.password,
    });
    const second = verifyUserToken(jwtFrom(login), TEST_SECRETS.jwt);
    const revocations = prefixed(subscriber, redisKeys.revocationsChannel);
    const announced = new Promise<string>((resolve) => {
      subscriber.on('message', (channel: string, message: string) => {
        if (channel === revocations && message.startsWith(`user:${first.sub}:`)) resolve(message);
      });
    });
    await subscriber.subscribe(revocations);

    const res = await postJson(
      `${auth.url}/api/auth/logout-all`,
      {},
      { 'x-internal-token': internalTokenFor(jwtFrom(login)).internalToken },
    );

    expect(res.status).toBe(200);
    expect(await bodyOf<unknown>(res)).toEqual({ message: 'Logged out everywhere' });
    expect(res.headers.getSetCookie().some((c) => c.startsWith('jwt=;'))).toBe(true);
    expect(await isTokenRevoked(redis, first)).toBe(true);
    expect(await isTokenRevoked(redis, second)).toBe(true);
    await announced;
    const again = await postJson(`${auth.url}/api/auth/login`, {
      username: body.username,
      password: body.password,
    });
    expect(again.status).toBe(200);
    expect(await isTokenRevoked(redis, verifyUserToken(jwtFrom(again), TEST_SECRETS.jwt))).toBe(false);
  });

  test('without an internal token is 401', async () => {
    const res = await postJson(`${auth.url}/api/auth/logout-all`, {});
    expect(res.status).toBe(401);
  });
});

describe('POST /api/auth/logout', () => {
  test('revokes the jti until the token expires, announces it, and clears the cookie', async () => {
    const session = await signedUp();
    // Channels are not prefixed by the client: the deployment's prefix is spelled out.
    const revocations = prefixed(subscriber, redisKeys.revocationsChannel);
    const announced = new Promise<string>((resolve) => {
      subscriber.on('message', (channel: string, message: string) => {
        if (channel === revocations && message === session.jti) resolve(message);
      });
    });
    await subscriber.subscribe(revocations);

    const res = await postJson(
      `${auth.url}/api/auth/logout`,
      {},
      { 'x-internal-token': session.internalToken },
    );

    expect(res.status).toBe(200);
    expect(await bodyOf<unknown>(res)).toEqual({ message: 'Logged out successfully' });
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith('jwt='));
    const attributes = (cleared ?? '').split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(['jwt=', 'max-age=0', 'path=/', 'httponly', 'samesite=strict']),
    );
    expect(await isTokenRevoked(redis, { sub: session.id, jti: session.jti, iat: 0 })).toBe(true);
    const ttl = await redis.ttl(redisKeys.denyList(session.jti));
    expect(Math.abs(ttl - (session.exp - Math.floor(Date.now() / 1000)))).toBeLessThanOrEqual(5);
    expect(await announced).toBe(session.jti);
  });

  test('without an internal token is 401 and revokes nothing', async () => {
    const res = await postJson(`${auth.url}/api/auth/logout`, {});
    expect(res.status).toBe(401);
    expect((await bodyOf(res)).error).toBe('Unauthorized - No Token Provided');
  });
});

describe('GET /api/auth/me', () => {
  test('with only a hand-written x-user-id header is 401', async () => {
    const { id } = await signedUp();
    const res = await me({ 'x-user-id': id });
    expect(res.status).toBe(401);
    expect((await bodyOf(res)).error).toBe('Unauthorized - No Token Provided');
  });

  test('with a user token instead of an internal token, or a forged internal token, is 401', async () => {
    const { id } = await signedUp();
    const userToken = bearerFor(id).token;
    for (const headers of [{ 'x-internal-token': userToken }, { 'x-internal-token': 'not-a-jwt' }]) {
      const res = await me(headers);
      expect(res.status).toBe(401);
      expect((await bodyOf(res)).error).toBe('Unauthorized - Invalid Token');
    }
  });

  test('for an account that no longer exists is 401', async () => {
    const res = await me({ 'x-internal-token': bearerFor(newObjectId()).internalToken });
    expect(res.status).toBe(401);

    const session = await signedUp();
    expect((await auth.users.deleteOne({ _id: new ObjectId(session.id) })).deletedCount).toBe(1);
    expect((await me({ 'x-internal-token': session.internalToken })).status).toBe(401);
  });
});
