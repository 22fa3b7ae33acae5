import type { RequestHandler } from 'express';
import { routeOf } from './classify.middleware.js';
import { authenticateRequest, type IdentityOptions, setIdentityHeaders } from './identity.js';

/**
 * Strips client identity headers on every route; on protected routes requires a valid, unrevoked user
 * token and passes the caller upstream as the internal token (also kept in `res.locals.caller`).
 */
export function authenticate(opts: IdentityOptions): RequestHandler {
  return async (req, res, next) => {
    setIdentityHeaders(req, undefined, opts.internalTokenSecret);
    const policy = routeOf(req);
    if (!policy?.requiresAuth) return next();
    const caller = await authenticateRequest(req, policy.upstream === 'realtime', opts);
    res.locals.caller = caller;
    setIdentityHeaders(req, caller, opts.internalTokenSecret);
    next();
  };
}

/** Sends the request id (validated or created by the shared requestId middleware) to the upstream. */
export const forwardRequestId: RequestHandler = (req, res, next) => {
  const id: unknown = res.locals.requestId;
  if (typeof id === 'string') req.headers['x-request-id'] = id;
  next();
};
