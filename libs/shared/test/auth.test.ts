import { createHmac } from 'node:crypto';
import type express from 'express';
import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  callerOf,
  IDENTITY_HEADERS,
  INTERNAL_TOKEN,
  readTokenFromCookieHeader,
  rememberVerified,
  requireCaller,
  signInternalToken,
  signUserToken,
  USER_TOKEN,
  userTokenCookie,
  verifyInternalToken,
  verifyUserToken,
} from '../src/auth/index.js';
import { createHttpService } from '../src/http/index.js';
import { captureLogger } from './http-helpers.js';

const SECRET = 'auth-test-user-secret-0123456789abcdef';
const INTERNAL = 'auth-test-internal-secret-0123456789abcd';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const hmac = (data: string, secret = SECRET) => createHmac('sha256', secret).update(data).digest('base64url');

/** A token with an arbitrary header, HMAC-SHA256-signed with SECRET (or unsigned). */
function handBuilt(header: object, payload: object, sign = true): string {
  const data = `${b64(header)}.${b64(payload)}`;
  return `${data}.${sign ? hmac(data) : ''}`;
}

function validPayload(overrides: Record<string, unknown> = {}) {
  const iat = Math.floor(Date.now() / 1000);
  return {
    sub: 'u1',
    jti: 'j1',
    iat,
    exp: iat + 60,
    iss: USER_TOKEN.issuer,
    aud: USER_TOKEN.audience,
    ...overrides,
  };
}

const invalid = { code: 'AUTH.INVALID_TOKEN', status: 401, message: 'Unauthorized - Invalid Token' };

describe('user token', () => {
  test('round trip: claims carry sub, a fresh jti and a 15-day lifetime', () => {
    const now = new Date();
    const { token, claims } = signUserToken('user-1', SECRET, now);
    expect(verifyUserToken(token, SECRET)).toEqual(claims);
    expect(claims.sub).toBe('user-1');
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.exp - claims.iat).toBe(15 * 24 * 3600);
    expect(claims.iat).toBe(Math.floor(now.getTime() / 1000));
    expect(jwt.decode(token, { complete: true })?.header.alg).toBe('HS256');
    expect(signUserToken('user-1', SECRET).claims.jti).not.toBe(claims.jti);
  });

  test('a hand-built HS256 token with the right claims is accepted (the helpers below are sound)', () => {
    expect(verifyUserToken(handBuilt({ alg: 'HS256', typ: 'JWT' }, validPayload()), SECRET).sub).toBe('u1');
  });

  const rejected: Array<[string, () => string]> = [
    [
      'a tampered payload',
      () => {
        const [header, , signature] = signUserToken('user-1', SECRET).token.split('.');
        return `${header}.${b64(validPayload({ sub: 'admin' }))}.${signature}`;
      },
    ],
    ['a token signed with another secret', () => signUserToken('user-1', `${SECRET}-other`).token],
    ['alg none', () => handBuilt({ alg: 'none', typ: 'JWT' }, validPayload(), false)],
    ['alg none carrying a signature', () => handBuilt({ alg: 'none', typ: 'JWT' }, validPayload())],
    ['an HS512 token', () => jwt.sign(validPayload(), SECRET, { algorithm: 'HS512' })],
    [
      'an RS256-labelled token with an HMAC signature',
      () => handBuilt({ alg: 'RS256', typ: 'JWT' }, validPayload()),
    ],
    [
      'an expired token',
      () => signUserToken('user-1', SECRET, new Date(Date.now() - 16 * 24 * 3600 * 1000)).token,
    ],
    ['a wrong audience', () => handBuilt({ alg: 'HS256' }, validPayload({ aud: 'other' }))],
    ['a wrong issuer', () => handBuilt({ alg: 'HS256' }, validPayload({ iss: 'someone' }))],
    ['a missing jti', () => handBuilt({ alg: 'HS256' }, validPayload({ jti: undefined }))],
    ['a missing sub', () => handBuilt({ alg: 'HS256' }, validPayload({ sub: undefined }))],
    ['a missing exp', () => handBuilt({ alg: 'HS256' }, validPayload({ exp: undefined }))],
    ['garbage', () => 'not.a.token'],
    ['an empty string', () => ''],
    [
      'an internal token',
      () =>
        signInternalToken({ userId: 'u1', jti: 'j1', tokenExp: Math.floor(Date.now() / 1000) + 600 }, SECRET),
    ],
  ];
  test.each(rejected)('rejects %s', (_name, build) => {
    expect(() => verifyUserToken(build(), SECRET)).toThrow(expect.objectContaining(invalid));
  });

  test('an empty secret verifies nothing', () => {
    expect(() => verifyUserToken(signUserToken('u', SECRET).token, '')).toThrow(
      expect.objectContaining(invalid),
    );
  });
});

describe('internal token', () => {
  const tokenExp = Math.floor(Date.now() / 1000) + 3600;

  test('round trip carries the caller, lives 60 s and never outlives the user token', () => {
    const caller = { userId: 'u2', jti: 'jti-2', tokenExp };
    const token = signInternalToken(caller, INTERNAL);
    expect(verifyInternalToken(token, INTERNAL)).toEqual(caller);
    const payload = jwt.decode(token, { json: true });
    expect((payload?.exp ?? 0) - (payload?.iat ?? 0)).toBe(INTERNAL_TOKEN.ttlSeconds);
    const short = signInternalToken({ ...caller, tokenExp: Math.floor(Date.now() / 1000) - 1 }, INTERNAL);
    expect(() => verifyInternalToken(short, INTERNAL)).toThrow(expect.objectContaining({ status: 401 }));
  });

  test('rejects a user token, another secret, and alg none', () => {
    const code = { code: 'AUTH.INVALID_INTERNAL_TOKEN', status: 401 };
    expect(() => verifyInternalToken(signUserToken('u2', INTERNAL).token, INTERNAL)).toThrow(
      expect.objectContaining(code),
    );
    const other = signInternalToken({ userId: 'u2', jti: 'j', tokenExp }, SECRET);
    expect(() => verifyInternalToken(other, INTERNAL)).toThrow(expect.objectContaining(code));
    const none = handBuilt(
      { alg: 'none' },
      { sub: 'u2', jti: 'j', tokenExp, iss: INTERNAL_TOKEN.issuer, aud: INTERNAL_TOKEN.audience },
      false,
    );
    expect(() => verifyInternalToken(none, INTERNAL)).toThrow(expect.objectContaining(code));
  });

  test('requireCaller: 401 without or with a bad token, res.locals.caller otherwise', async () => {
    const { logger } = captureLogger('auth-test');
    const service = createHttpService({
      name: 'auth-test',
      logger,
      routes: (app: express.Express) => {
        app.get('/me', requireCaller(INTERNAL), (_req, res) => {
          res.json(callerOf(res));
        });
        app.get('/open', (_req, res) => {
          res.json(callerOf(res));
        });
      },
    });
    const { url } = await service.start(0, '127.0.0.1');
    try {
      const none = await fetch(`${url}/me`);
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual({ error: 'Unauthorized - No Token Provided', code: 'AUTH.NO_TOKEN' });
      const bad = await fetch(`${url}/me`, { headers: { [INTERNAL_TOKEN.header]: 'x.y.z' } });
      expect(bad.status).toBe(401);
      expect(await bad.json()).toMatchObject({ error: 'Unauthorized - Invalid Token' });
      const caller = { userId: 'u3', jti: 'j3', tokenExp };
      const ok = await fetch(`${url}/me`, {
        headers: { [INTERNAL_TOKEN.header]: signInternalToken(caller, INTERNAL) },
      });
      expect(await ok.json()).toEqual(caller);
      expect((await fetch(`${url}/open`)).status).toBe(401);
    } finally {
      await service.stop();
    }
  });
});

describe('remembered verifications', () => {
  const start = new Date('2030-01-01T00:00:00Z');
  const startSeconds = Math.floor(start.getTime() / 1000);

  // The clock is set, not waited for: the rule is about the token's exp, in whole seconds.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('a remembered token is answered until the second it expires, then refused like any expired one', () => {
    let verifications = 0;
    const verify = rememberVerified((token: string) => {
      verifications++;
      const caller = verifyInternalToken(token, INTERNAL);
      const exp = jwt.decode(token, { json: true })?.exp ?? 0;
      return { value: caller, exp };
    });
    const caller = { userId: 'u4', jti: 'j4', tokenExp: startSeconds + 3600 };
    const token = signInternalToken(caller, INTERNAL);
    expect(verify(token)).toEqual(caller);
    vi.setSystemTime(start.getTime() + INTERNAL_TOKEN.ttlSeconds * 1000 - 1);
    expect(verify(token)).toEqual(caller);
    expect(verifications).toBe(1);
    vi.setSystemTime(start.getTime() + INTERNAL_TOKEN.ttlSeconds * 1000);
    expect(() => verify(token)).toThrow(expect.objectContaining({ code: 'AUTH.INVALID_INTERNAL_TOKEN' }));
    expect(verifications).toBe(2);
  });

  test('a failure is never remembered, and a token differing by one byte is verified on its own', () => {
    let verifications = 0;
    const verify = rememberVerified((token: string) => {
      verifications++;
      return { value: verifyInternalToken(token, INTERNAL), exp: startSeconds + 60 };
    });
    const token = signInternalToken({ userId: 'u5', jti: 'j5', tokenExp: startSeconds + 3600 }, INTERNAL);
    verify(token);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64({ sub: 'someone-else', jti: 'j5', tokenExp: startSeconds + 3600 })}.${signature}`;
    expect(() => verify(forged)).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => verify(forged)).toThrow(expect.objectContaining({ status: 401 }));
    expect(verifications).toBe(3);
  });

  test('holds at most maxEntries tokens, forgetting the oldest first', () => {
    const seen: string[] = [];
    const verify = rememberVerified((token: string) => {
      seen.push(token);
      return { value: token, exp: startSeconds + 60 };
    }, 2);
    for (const token of ['a', 'b', 'c', 'b', 'a']) verify(token);
    expect(seen).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('cookies and headers', () => {
  test('cookie options follow the spec', () => {
    const base = { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 15 * 24 * 3600 * 1000 };
    expect(userTokenCookie({ production: true })).toEqual({ ...base, secure: true });
    expect(userTokenCookie({ production: false })).toEqual({ ...base, secure: false });
  });

  test('readTokenFromCookieHeader finds the jwt cookie among others', () => {
    expect(readTokenFromCookieHeader('a=1; jwt=tok.en.value; b=2')).toBe('tok.en.value');
    expect(readTokenFromCookieHeader('jwt=%20x')).toBe(' x');
    expect(readTokenFromCookieHeader('a=1')).toBeUndefined();
    expect(readTokenFromCookieHeader('jwt=')).toBeUndefined();
    expect(readTokenFromCookieHeader(undefined)).toBeUndefined();
  });

  test('IDENTITY_HEADERS lists the internal token header and lower-case names only', () => {
    expect(IDENTITY_HEADERS).toContain(INTERNAL_TOKEN.header);
    expect(IDENTITY_HEADERS).toContain('x-user-id');
    expect(IDENTITY_HEADERS.every((h) => h === h.toLowerCase())).toBe(true);
  });
});
