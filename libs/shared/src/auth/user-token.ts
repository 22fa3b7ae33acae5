import { randomUUID } from 'node:crypto';
import { parseCookie } from 'cookie';
import jwt from 'jsonwebtoken';
import { USER_TOKEN, type UserClaims } from './constants.js';
import { invalidTokenError } from './errors.js';
import { hmacKey, isNumericDate, isText, verifyHs256 } from './jwt-verify.js';

/** Signs a 15-day user token for `userId` with a fresh `jti` (HS256, iss chat-auth, aud chat). */
export function signUserToken(
  userId: string,
  secret: string,
  now: Date = new Date(),
): { token: string; claims: UserClaims } {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: UserClaims = { sub: userId, jti: randomUUID(), iat, exp: iat + USER_TOKEN.ttlSeconds };
  const token = jwt.sign({ ...claims, iss: USER_TOKEN.issuer, aud: USER_TOKEN.audience }, hmacKey(secret), {
    algorithm: USER_TOKEN.algorithm,
  });
  return { token, claims };
}

/**
 * Verifies a user token (HS256, issuer and audience pinned, unexpired, with sub/jti/iat/exp) and returns
 * its claims; throws AppError AUTH.INVALID_TOKEN (401) otherwise. Revocation is checked separately.
 */
export function verifyUserToken(token: string, secret: string): UserClaims {
  const payload = verifyHs256(token, secret, USER_TOKEN.issuer, USER_TOKEN.audience);
  if (!payload) throw invalidTokenError();
  const { sub, jti, iat, exp } = payload;
  if (!isText(sub) || !isText(jti) || !isNumericDate(iat) || !isNumericDate(exp)) throw invalidTokenError();
  return { sub, jti, iat, exp };
}

/** Options for `res.cookie(USER_TOKEN.cookieName, token, …)`: HttpOnly, SameSite=Strict, Secure in production. */
export function userTokenCookie(opts: { production: boolean }): {
  httpOnly: true;
  sameSite: 'strict';
  secure: boolean;
  path: '/';
  maxAge: number;
} {
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: opts.production,
    path: '/',
    maxAge: USER_TOKEN.ttlSeconds * 1000,
  };
}

/** The `jwt` cookie's value from a raw Cookie header, if present and non-empty. */
export function readTokenFromCookieHeader(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  return parseCookie(cookieHeader)[USER_TOKEN.cookieName] || undefined;
}
