import { redisKeys } from '@chat/shared/redis';
import type { RequestHandler } from 'express';
import type { RateRule } from '../../domain/rate-limit-rules.js';
import { routeOf } from './classify.middleware.js';
import { authenticateRequest, type IdentityOptions, setIdentityHeaders } from './identity.js';

export interface AuthenticateOptions extends IdentityOptions {
  /** The per-user API limit, counted in the revocation check's round trip (see rate-limit.middleware). */
  apiLimit?: { rule: RateRule; namespace: string };
}

/** Where the per-user API hit counted with the authentication is left for the rate limiter. */
export const API_HIT_LOCAL = 'apiRateHit';

/**
 * Strips client identity headers on every route; on protected routes requires a valid, unrevoked user
 * token and passes the caller upstream as the internal token (also kept in `res.locals.caller`).
 */
export function authenticate(opts: AuthenticateOptions): RequestHandler {
  const { apiLimit } = opts;
  const apiHit = apiLimit
    ? (userId: string) => ({
        key: redisKeys.rateLimit(`${apiLimit.namespace}${apiLimit.rule.bucket}`, userId),
        windowMs: apiLimit.rule.windowMs,
      })
    : undefined;
  return async (req, res, next) => {
    setIdentityHeaders(req, undefined, opts.tokens);
    const policy = routeOf(req);
    if (!policy?.requiresAuth) return next();
    const { caller, hit } = await authenticateRequest(
      req,
      policy.upstream === 'realtime',
      opts,
      policy.userApiLimit ? apiHit : undefined,
    );
    res.locals.caller = caller;
    if (hit) res.locals[API_HIT_LOCAL] = hit;
    setIdentityHeaders(req, caller, opts.tokens);
    next();
  };
}

/** Sends the request id (validated or created by the shared requestId middleware) to the upstream. */
export const forwardRequestId: RequestHandler = (req, res, next) => {
  const id: unknown = res.locals.requestId;
  if (typeof id === 'string') req.headers['x-request-id'] = id;
  next();
};
