import { USER_TOKEN, verifyInternalToken } from '@chat/shared/auth';
import { newObjectId, TEST_SECRETS } from '@chat/shared/testing';
import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createTokenCache } from '../src/entry-points/http/token-cache.js';

const START = new Date('2030-01-01T00:00:00Z');
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

function userToken(userId: string, lifetimeSeconds: number): string {
  const iat = seconds(new Date());
  const claims = { sub: userId, jti: newObjectId(), iat, exp: iat + lifetimeSeconds };
  return jwt.sign({ ...claims, iss: USER_TOKEN.issuer, aud: USER_TOKEN.audience }, TEST_SECRETS.jwt, {
    algorithm: 'HS256',
  });
}

function newCache() {
  return createTokenCache({ jwtSecret: TEST_SECRETS.jwt, internalTokenSecret: TEST_SECRETS.internal });
}

// The clock is set, not waited for: the cache's rules are about token lifetimes in seconds.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(START);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('verified user tokens', () => {
  test('a remembered token is refused from the second it expires', () => {
    const cache = newCache();
    const token = userToken(newObjectId(), 60);
    expect(cache.verifyUser(token).exp).toBe(seconds(START) + 60);
    vi.setSystemTime(START.getTime() + 59_999);
    expect(cache.verifyUser(token).exp).toBe(seconds(START) + 60);
    vi.setSystemTime(START.getTime() + 60_000);
    expect(() => cache.verifyUser(token)).toThrow('Unauthorized - Invalid Token');
  });

  test('a token differing from a remembered one in its payload is verified, and refused', () => {
    const cache = newCache();
    const token = userToken(newObjectId(), 60);
    cache.verifyUser(token);
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: newObjectId(), exp: seconds(START) + 60 })).toString(
      'base64url',
    );
    expect(() => cache.verifyUser(`${header}.${payload}.${signature}`)).toThrow();
  });
});

describe('internal caller tokens', () => {
  test('one is reused for 10 s, then a new one is signed with a full lifetime', () => {
    const cache = newCache();
    const caller = { userId: newObjectId(), jti: newObjectId(), tokenExp: seconds(START) + 3600 };
    const first = cache.internalToken(caller);
    vi.setSystemTime(START.getTime() + 9_999);
    expect(cache.internalToken(caller)).toBe(first);
    vi.setSystemTime(START.getTime() + 10_000);
    const second = cache.internalToken(caller);
    expect(second).not.toBe(first);
    expect(verifyInternalToken(second, TEST_SECRETS.internal)).toEqual(caller);
    const { exp } = jwt.decode(second) as { exp: number };
    expect(exp).toBe(seconds(START) + 10 + 60);
  });

  test('another user token of the same user gets its own internal token', () => {
    const cache = newCache();
    const userId = newObjectId();
    const tokenExp = seconds(START) + 3600;
    const first = cache.internalToken({ userId, jti: newObjectId(), tokenExp });
    const other = { userId, jti: newObjectId(), tokenExp };
    const second = cache.internalToken(other);
    expect(second).not.toBe(first);
    expect(verifyInternalToken(second, TEST_SECRETS.internal)).toEqual(other);
  });
});
