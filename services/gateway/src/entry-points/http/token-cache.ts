import {
  type Caller,
  rememberBounded,
  rememberVerified,
  signInternalToken,
  type UserClaims,
  verifyUserToken,
} from '@chat/shared/auth';

/**
 * The two JWT operations of every authenticated request, remembered: a browser sends the same cookie on
 * each request, and the internal token of one caller may serve many requests. Revocation is not cached:
 * the deny-list is still asked on every request.
 */
export interface TokenCache {
  /** The claims of a valid user token, by the rules of `verifyUserToken` (and its errors). */
  verifyUser(token: string): UserClaims;
  /** An internal caller token for `caller` with at least 50 s left (or until the user token expires). */
  internalToken(caller: Caller): string;
}

export interface TokenCacheOptions {
  jwtSecret: string;
  internalTokenSecret: string;
  /** Entries per cache; the oldest is forgotten first. */
  maxEntries?: number;
}

/** An internal token lives 60 s; reused for 10 s, a forwarded one outlives any clock skew between hosts. */
const INTERNAL_TOKEN_REUSE_MS = 10_000;

/** Verified user tokens keyed by their exact text, and internal tokens by the user token's jti. */
export function createTokenCache(opts: TokenCacheOptions): TokenCache {
  const maxEntries = opts.maxEntries ?? 10_000;
  const verifyUser = rememberVerified((token) => {
    const claims = verifyUserToken(token, opts.jwtSecret);
    return { value: claims, exp: claims.exp };
  }, maxEntries);
  const signed = new Map<string, { token: string; signedAt: number; caller: Caller }>();
  return {
    verifyUser,
    internalToken(caller) {
      const now = Date.now();
      const known = signed.get(caller.jti);
      if (
        known &&
        now - known.signedAt < INTERNAL_TOKEN_REUSE_MS &&
        known.caller.userId === caller.userId &&
        known.caller.tokenExp === caller.tokenExp
      ) {
        return known.token;
      }
      const token = signInternalToken(caller, opts.internalTokenSecret);
      if (known) signed.delete(caller.jti);
      rememberBounded(signed, caller.jti, { token, signedAt: now, caller }, maxEntries);
      return token;
    },
  };
}
