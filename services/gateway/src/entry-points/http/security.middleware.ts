import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { isOriginAllowed } from '../../domain/origin-policy.js';
import { gatewayErrors } from '../../errors.js';
import { routeOf } from './classify.middleware.js';

/** helmet with a CSP for a same-origin SPA that talks to the API and Socket.IO on its own origin. */
function helmetFor(production: boolean) {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // 'self' covers same-origin ws:/wss: in current browsers.
        connectSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        // Upgrading would break a plain-http local stack; behind TLS in production it is wanted.
        upgradeInsecureRequests: production ? [] : null,
      },
    },
  });
}

/**
 * helmet's headers, worked out once: with this configuration they do not depend on the request, and helmet
 * would otherwise rebuild the CSP string and run a dozen middlewares on every proxied request.
 */
export function securityHeaders(production: boolean): RequestHandler {
  const sample = new ServerResponse(new IncomingMessage(new Socket()));
  let done = false;
  helmetFor(production)(sample.req, sample, () => {
    done = true;
  });
  if (!done) throw new Error('helmet did not finish synchronously');
  const headers = Object.entries(sample.getHeaders()).flatMap(([name, value]) =>
    value === undefined ? [] : [[name, value] as const],
  );
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/** CORS for the allow-list only, with credentials (the cookie); other origins get no CORS headers. */
export function corsForAllowList(allowList: readonly string[]): RequestHandler {
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowList.includes(origin)),
    credentials: true,
    maxAge: 600,
  });
}

/** 403 for unsafe methods and socket handshakes from an Origin outside the allow-list. */
export function refuseForeignOrigins(allowList: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const check = {
      method: req.method,
      origin: req.get('origin'),
      host: req.get('host'),
      isSocketHandshake: routeOf(req)?.upstream === 'realtime',
    };
    if (!isOriginAllowed(check, allowList)) throw gatewayErrors.originNotAllowed();
    next();
  };
}

/**
 * 413 for a declared body over the limit. Proxied bodies are streamed, not parsed, so a chunked body with no
 * Content-Length is left to the upstream's own limit.
 */
export function limitDeclaredBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > limitBytes) throw gatewayErrors.payloadTooLarge();
    next();
  };
}
