import type { Caller } from '@chat/shared/auth';
import type { Request, RequestHandler } from 'express';
import { clientKey } from '../../domain/client-address.js';
import {
  checkRateLimits,
  type RateLimitRules,
  type RateLimitStore,
  type RateRule,
  usernameClientId,
  usernameId,
} from '../../domain/rate-limit-rules.js';
import type { CredentialLimit } from '../../domain/route-policy.js';
import { gatewayErrors, RateLimitedError } from '../../errors.js';
import { API_HIT_LOCAL } from './authenticate.middleware.js';
import { routeOf } from './classify.middleware.js';

function bodyUsername(req: Request): string | undefined {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object') return undefined;
  const username = (body as Record<string, unknown>).username;
  // A non-string username ({"$gt": ""}) is refused by the auth service; the per-IP limit still applies.
  return typeof username === 'string' && username.trim() !== '' ? username : undefined;
}

type Hit = { rule: RateRule; id: string };

function credentialHits(req: Request, limit: CredentialLimit, rules: RateLimitRules): Hit[] {
  // req.ip honours `trust proxy`: with 0 hops it is the socket address, whatever X-Forwarded-For says.
  const ip = clientKey(req.ip ?? req.socket.remoteAddress ?? '');
  const username = bodyUsername(req);
  if (limit === 'signup') {
    const perIp = { rule: rules.signupPerIp, id: ip };
    return username ? [perIp, { rule: rules.signupPerUsername, id: usernameId(username) }] : [perIp];
  }
  if (!username) return [{ rule: rules.loginPerIp, id: ip }];
  // Per (username, IP) first: an attacker elsewhere is throttled without locking the owner out.
  return [
    { rule: rules.loginPerIp, id: ip },
    { rule: rules.loginPerUsernameIp, id: usernameClientId(username, ip) },
    { rule: rules.loginPerUsername, id: usernameId(username) },
  ];
}

// Only login and signup need the client address and the body: other routes skip both.
function hitsFor(req: Request, caller: Caller | undefined, rules: RateLimitRules, apiCounted: boolean) {
  const policy = routeOf(req);
  const hits: Hit[] = policy?.credentialLimit ? credentialHits(req, policy.credentialLimit, rules) : [];
  if (policy?.userApiLimit && caller && !apiCounted) hits.push({ rule: rules.apiPerUser, id: caller.userId });
  return hits;
}

/**
 * Login per IP, per (username, IP) and per username; signup per IP and per username; the per-user API
 * limit. 429 with Retry-After.
 */
export function rateLimit(store: RateLimitStore, rules: RateLimitRules): RequestHandler {
  return async (req, res, next) => {
    const caller = res.locals.caller as Caller | undefined;
    // The per-user API hit was usually counted with the revocation check (authenticate.middleware).
    const counted = res.locals[API_HIT_LOCAL] as { count: number; ttlMs: number } | undefined;
    if (counted && counted.count > rules.apiPerUser.limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil(counted.ttlMs / 1000));
      res.setHeader('Retry-After', String(retryAfterSeconds));
      throw new RateLimitedError(retryAfterSeconds);
    }
    const hits = hitsFor(req, caller, rules, counted !== undefined);
    if (hits.length === 0) return next();
    let verdict: Awaited<ReturnType<typeof checkRateLimits>>;
    try {
      verdict = await checkRateLimits(store, hits);
    } catch {
      // Fail closed: an outage must not switch brute-force protection off.
      throw gatewayErrors.dependencyUnavailable();
    }
    if (verdict) {
      res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
      throw new RateLimitedError(verdict.retryAfterSeconds);
    }
    next();
  };
}
