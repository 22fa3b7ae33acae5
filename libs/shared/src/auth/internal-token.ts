import type { RequestHandler, Response } from 'express';
import jwt from 'jsonwebtoken';
import { type Caller, INTERNAL_TOKEN } from './constants.js';
import { invalidTokenError, noTokenError } from './errors.js';
import { hmacKey, isNumericDate, isText, verifyHs256 } from './jwt-verify.js';
import { rememberVerified } from './verified-tokens.js';

const invalidToken = () => invalidTokenError('AUTH.INVALID_INTERNAL_TOKEN');

/** Mints the gateway's 60-second caller token; it never outlives the user token it vouches for. */
export function signInternalToken(caller: Caller, secret: string): string {
  const iat = Math.floor(Date.now() / 1000);
  const exp = Math.min(iat + INTERNAL_TOKEN.ttlSeconds, caller.tokenExp);
  const payload = {
    sub: caller.userId,
    jti: caller.jti,
    tokenExp: caller.tokenExp,
    iat,
    exp,
    iss: INTERNAL_TOKEN.issuer,
    aud: INTERNAL_TOKEN.audience,
  };
  return jwt.sign(payload, hmacKey(secret), { algorithm: INTERNAL_TOKEN.algorithm });
}

function verifiedCaller(token: string, secret: string): { value: Caller; exp: number } {
  const payload = verifyHs256(token, secret, INTERNAL_TOKEN.issuer, INTERNAL_TOKEN.audience);
  if (!payload) throw invalidToken();
  const { sub, jti, tokenExp, exp } = payload;
  if (!isText(sub) || !isText(jti) || !isNumericDate(tokenExp) || !isNumericDate(exp)) throw invalidToken();
  return { value: { userId: sub, jti, tokenExp }, exp };
}

/** Verifies a caller token (HS256, iss chat-gateway, aud chat-internal); throws AUTH.INVALID_INTERNAL_TOKEN (401). */
export function verifyInternalToken(token: string, secret: string): Caller {
  return verifiedCaller(token, secret).value;
}

/**
 * Express middleware: requires a valid `x-internal-token` and stores the caller in `res.locals.caller`.
 * Missing → 401 'Unauthorized - No Token Provided'; invalid → 401 'Unauthorized - Invalid Token'.
 * The gateway reuses a caller's token for several seconds, so verified ones are remembered until they expire.
 */
export function requireCaller(secret: string): RequestHandler {
  const verify = rememberVerified((token) => verifiedCaller(token, secret));
  return (req, res, next) => {
    const token = req.get(INTERNAL_TOKEN.header);
    if (!token) return next(noTokenError());
    try {
      res.locals.caller = verify(token);
    } catch (err) {
      return next(err);
    }
    next();
  };
}

function isCaller(value: unknown): value is Caller {
  if (value === null || typeof value !== 'object') return false;
  const c = value as Record<string, unknown>;
  return isText(c.userId) && isText(c.jti) && isNumericDate(c.tokenExp);
}

/** The caller set by `requireCaller`; throws 401 when the route was not behind it. */
export function callerOf(res: Response): Caller {
  const caller: unknown = res.locals.caller;
  if (!isCaller(caller)) throw noTokenError();
  return caller;
}
