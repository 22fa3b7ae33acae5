import { revokeToken, revokeUserTokens, USER_TOKEN } from '@chat/shared/auth';
import { createLogger } from '@chat/shared/logger';
import { createRedis, type Redis } from '@chat/shared/redis';
import { newObjectId, TEST_SECRETS, testEnv } from '@chat/shared/testing';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cookieFor, REDIS_PREFIX, upstreamsAt, useEchoUpstream, useGateway } from './support.js';

const upstream = useEchoUpstream('any');
const gateway = useGateway(() => upstreamsAt(upstream.url));
let redis: Redis;

beforeAll(async () => {
  redis = createRedis(testEnv().redisUrl, {
    prefix: REDIS_PREFIX,
    logger: createLogger({ service: 'test', level: 'silent' }),
    name: 'test',
  });
});

afterAll(async () => {
  redis?.disconnect();
});

const PROTECTED = ['/api/users', `/api/messages/${newObjectId()}`, '/api/auth/me', '/API/Auth/Me/'];
const NO_TOKEN = { error: 'Unauthorized - No Token Provided', code: 'AUTH.NO_TOKEN' };
const INVALID = { error: 'Unauthorized - Invalid Token', code: 'AUTH.INVALID_TOKEN' };

function claimsFor(userId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: userId,
    jti: newObjectId(),
    iat: now,
    exp: now + 3600,
    iss: USER_TOKEN.issuer,
    aud: USER_TOKEN.audience,
    ...overrides,
  };
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function call(
  path: string,
  cookie?: string,
  method = 'GET',
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${gateway.url}${path}`, { method, headers: cookie ? { cookie } : {} });
  return { status: res.status, body: await res.json() };
}

describe('protected routes', () => {
  test('without a cookie: 401 No Token, and the upstream never sees the request', async () => {
    const before = upstream.requests.length;
    for (const path of PROTECTED) expect(await call(path)).toEqual({ status: 401, body: NO_TOKEN });
    expect(await call('/api/auth/logout', undefined, 'POST')).toEqual({ status: 401, body: NO_TOKEN });
    expect(upstream.requests.length).toBe(before);
  });

  test('a Bearer header is not accepted for REST (cookie only)', async () => {
    const token = jwt.sign(claimsFor(newObjectId()), TEST_SECRETS.jwt, { algorithm: 'HS256' });
    const res = await fetch(`${gateway.url}/api/users`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });

  test('forged tokens are 401 Invalid Token', async () => {
    const userId = newObjectId();
    const good = jwt.sign(claimsFor(userId), TEST_SECRETS.jwt, { algorithm: 'HS256' });
    const [header, payload, signature] = good.split('.');
    const tamperedPayload = base64url({ ...claimsFor(newObjectId()) });
    const forged = {
      otherSecret: jwt.sign(claimsFor(userId), 'another-secret-that-is-long-enough-000000', {
        algorithm: 'HS256',
      }),
      algNone: `${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      wrongAudience: jwt.sign(claimsFor(userId, { aud: 'chat-internal' }), TEST_SECRETS.jwt, {
        algorithm: 'HS256',
      }),
      wrongIssuer: jwt.sign(claimsFor(userId, { iss: 'someone' }), TEST_SECRETS.jwt, { algorithm: 'HS256' }),
      expired: jwt.sign(claimsFor(userId, { iat: 1_000, exp: 2_000 }), TEST_SECRETS.jwt, {
        algorithm: 'HS256',
      }),
      noJti: jwt.sign(claimsFor(userId, { jti: undefined }), TEST_SECRETS.jwt, { algorithm: 'HS256' }),
      hs512: jwt.sign(claimsFor(userId), TEST_SECRETS.jwt, { algorithm: 'HS512' }),
      tampered: `${header}.${tamperedPayload}.${signature}`,
      garbage: 'not-a-jwt',
    };
    for (const [name, token] of Object.entries(forged)) {
      const result = await call('/api/users', `jwt=${token}`);
      expect({ name, ...result }).toEqual({ name, status: 401, body: INVALID });
    }
  });

  test('a revoked token is 401 Invalid Token on every protected route', async () => {
    const { cookie, claims } = cookieFor(newObjectId());
    expect((await call('/api/users', cookie)).status).toBe(200);
    await revokeToken(redis, claims);
    for (const path of PROTECTED) expect(await call(path, cookie)).toEqual({ status: 401, body: INVALID });
  });

  test('a valid cookie passes', async () => {
    const { cookie } = cookieFor(newObjectId());
    for (const path of PROTECTED) expect((await call(path, cookie)).status).toBe(200);
  });
});

describe('public routes', () => {
  test('login and signup work with a stale, invalid cookie and no identity is passed on', async () => {
    const stale = `jwt=${jwt.sign(claimsFor(newObjectId()), 'another-secret-that-is-long-enough-000000')}`;
    for (const path of ['/api/auth/login', '/api/auth/signup']) {
      const res = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { cookie: stale, 'content-type': 'application/json' },
        body: JSON.stringify({ username: `u-${newObjectId()}` }),
      });
      expect(res.status).toBe(200);
      const echo = (await res.json()) as { headers: Record<string, string> };
      expect(echo.headers['x-internal-token']).toBeUndefined();
    }
  });
});

describe('the deny-list across gateway replicas', () => {
  // A second gateway in front of the same upstream, sharing Redis, as a replica behind a load balancer.
  const replica = useGateway(() => upstreamsAt(upstream.url));

  async function statusesOf(cookie: string): Promise<Array<{ status: number; body: unknown }>> {
    return Promise.all(
      [gateway, replica].map(async ({ url }) => {
        const res = await fetch(`${url}/api/auth/me`, { headers: { cookie } });
        return { status: res.status, body: await res.json() };
      }),
    );
  }

  test('a token signed out through one gateway is refused by every gateway on the next request', async () => {
    const { cookie, claims } = cookieFor(newObjectId());
    const other = cookieFor(newObjectId());
    expect((await statusesOf(cookie)).map((r) => r.status)).toEqual([200, 200]);

    await revokeToken(redis, claims);

    expect(await statusesOf(cookie)).toEqual([
      { status: 401, body: INVALID },
      { status: 401, body: INVALID },
    ]);
    expect((await statusesOf(other.cookie)).map((r) => r.status)).toEqual([200, 200]);
  });

  test('after "sign out everywhere", every earlier token of that user is refused by every gateway', async () => {
    const userId = newObjectId();
    const phone = cookieFor(userId);
    const laptop = cookieFor(userId);
    expect((await statusesOf(phone.cookie)).map((r) => r.status)).toEqual([200, 200]);

    await revokeUserTokens(redis, userId);

    for (const { cookie } of [phone, laptop]) {
      expect(await statusesOf(cookie)).toEqual([
        { status: 401, body: INVALID },
        { status: 401, body: INVALID },
      ]);
    }
  });
});
