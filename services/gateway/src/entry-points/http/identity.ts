import type { IncomingMessage } from 'node:http';
import { type Caller, IDENTITY_HEADERS, INTERNAL_TOKEN, readTokenFromCookieHeader } from '@chat/shared/auth';
import type { Redis } from '@chat/shared/redis';
import { checkCaller, type WindowHit } from '../../data-access/caller-check.js';
import { gatewayErrors } from '../../errors.js';
import type { TokenCache } from './token-cache.js';

export interface IdentityOptions {
  redis: Redis;
  tokens: TokenCache;
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/**
 * The user token of a request: the `jwt` cookie; for the socket handshake only, non-browser clients may use
 * `Authorization: Bearer` instead (Socket.IO's `auth` payload is sent after the transport is open, too late
 * for the gateway to see it). Never the URL: query strings end up in logs and proxies. REST is cookie-only.
 */
export function readUserToken(req: IncomingMessage, allowNonCookie: boolean): string | undefined {
  const fromCookie = readTokenFromCookieHeader(req.headers.cookie);
  if (fromCookie || !allowNonCookie) return fromCookie;
  return bearerToken(req);
}

/**
 * Verifies the request's user token and its revocation; throws the SPEC's 401s (503 if Redis is down).
 * `hitFor` names a rate-limit window counted in the same Redis round trip (not counted for a revoked token).
 */
export async function authenticateRequest(
  req: IncomingMessage,
  allowNonCookie: boolean,
  opts: IdentityOptions,
  hitFor?: (userId: string) => WindowHit,
): Promise<{ caller: Caller; hit?: { count: number; ttlMs: number } }> {
  const token = readUserToken(req, allowNonCookie);
  if (!token) throw gatewayErrors.noToken();
  let claims: ReturnType<TokenCache['verifyUser']>;
  try {
    claims = opts.tokens.verifyUser(token);
  } catch {
    throw gatewayErrors.invalidToken();
  }
  let check: Awaited<ReturnType<typeof checkCaller>>;
  try {
    // The jti deny-list, the user's "signed out everywhere" mark and the rate-limit hit, in one round trip.
    check = await checkCaller(opts.redis, claims, hitFor?.(claims.sub));
  } catch {
    // Fail closed: without the deny-list a logged-out token would work again.
    throw gatewayErrors.dependencyUnavailable();
  }
  if (check.revoked) throw gatewayErrors.invalidToken();
  const caller = { userId: claims.sub, jti: claims.jti, tokenExp: claims.exp };
  return check.hit ? { caller, hit: check.hit } : { caller };
}

/**
 * Only the gateway states who the caller is: client-sent identity headers are always removed, and an
 * authenticated request gets a fresh internal caller token. The proxy copies `req.headers` upstream.
 */
export function setIdentityHeaders(
  req: IncomingMessage,
  caller: Caller | undefined,
  tokens: TokenCache,
): void {
  for (const header of IDENTITY_HEADERS) delete req.headers[header];
  delete req.headers[INTERNAL_TOKEN.header];
  if (caller) req.headers[INTERNAL_TOKEN.header] = tokens.internalToken(caller);
}
