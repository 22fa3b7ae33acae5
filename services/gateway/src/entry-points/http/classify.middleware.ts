import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { canonicalTarget } from '../../domain/request-target.js';
import { type RoutePolicy, routePolicy } from '../../domain/route-policy.js';
import { gatewayErrors } from '../../errors.js';

interface Classified {
  policy: RoutePolicy | undefined;
}

const classified = new WeakMap<IncomingMessage, Classified>();

/**
 * Classifies a request once, from its canonical path, and rewrites `req.url` to that path so the proxy
 * forwards exactly what the checks saw. Throws 400 for a path spelling the gateway refuses.
 */
export function classifyTarget(req: IncomingMessage): RoutePolicy | undefined {
  const known = classified.get(req);
  if (known) return known.policy;
  const verdict = canonicalTarget(req.url ?? '');
  if (!verdict.ok) throw gatewayErrors.invalidPath();
  const url = `${verdict.pathname}${verdict.search}`;
  req.url = url;
  // http-proxy-middleware forwards `originalUrl` when Express set one.
  if ('originalUrl' in req) (req as IncomingMessage & { originalUrl: string }).originalUrl = url;
  const policy = routePolicy(req.method ?? 'GET', verdict.pathname);
  classified.set(req, { policy });
  return policy;
}

/** The route policy found by `classifyTarget` (every request goes through it first). */
export function routeOf(req: IncomingMessage): RoutePolicy | undefined {
  return classifyTarget(req);
}

/** First middleware after request ids: refuses tricky paths, classifies the rest. */
export const classifyRequest: RequestHandler = (req, _res, next) => {
  classifyTarget(req);
  next();
};
