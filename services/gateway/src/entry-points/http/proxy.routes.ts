import type { Agent, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parse as parseUrl, type UrlWithStringQuery } from 'node:url';
import { correlatedLogger, type Logger } from '@chat/shared/logger';
import {
  createProxyMiddleware,
  debugProxyErrorsPlugin,
  fixRequestBody,
  type RequestHandler as ProxyHandler,
  proxyEventsPlugin,
} from 'http-proxy-middleware';
import type { Upstream } from '../../domain/route-policy.js';
import { gatewayErrors } from '../../errors.js';
import { routeOf } from './classify.middleware.js';
import { markTimedOut, markUpgraded, replyWithError, wasTimedOut } from './proxy-errors.js';

export interface ProxyOptions {
  /** The upstreams this proxy serves, by the request's classification (one proxy can serve several). */
  upstreams: readonly Upstream[];
  /** Where a request goes: a replica or realtime node chosen per request (undefined: none available). */
  target: (req: IncomingMessage) => string | undefined;
  agent: Agent;
  timeoutMs: number;
  logger: Logger;
  /** Called when the upstream could not be reached (connection refused, reset, timeout). */
  onUnreachable?: (req: IncomingMessage) => void;
}

// The gateway owns CORS and the fingerprint headers; an upstream's copies would duplicate or leak them.
function stripUpstreamHeaders(headers: IncomingHttpHeaders): void {
  for (const name of Object.keys(headers)) {
    if (name.startsWith('access-control-') || name === 'x-powered-by') delete headers[name];
  }
}

/** Each target URL parsed once: http-proxy would parse a string target again on every request. */
function createUrlCache(): (url: string) => UrlWithStringQuery {
  const parsed = new Map<string, UrlWithStringQuery>();
  return (url) => {
    let hit = parsed.get(url);
    if (!hit) {
      // Replica addresses come and go with DNS; the cache only ever holds a few hundred of them.
      if (parsed.size >= 1000) parsed.clear();
      hit = parseUrl(url);
      parsed.set(url, hit);
    }
    return hit;
  };
}

/**
 * One upstream behind http-proxy-middleware: the path reaches it unchanged (pathFilter, no rewrite), a body
 * parsed at the gateway is re-streamed, and an unreachable upstream gives a quick JSON 502/503.
 */
export function createUpstreamProxy(opts: ProxyOptions): ProxyHandler {
  const served = new Set<Upstream>(opts.upstreams);
  const serves = (upstream: Upstream | undefined): boolean => upstream !== undefined && served.has(upstream);
  const parse = createUrlCache();
  return createProxyMiddleware<IncomingMessage, ServerResponse>({
    // The router always wins; this placeholder is never contacted.
    target: 'http://127.0.0.1:9',
    router: (req: IncomingMessage) => {
      const url = opts.target(req);
      return url === undefined ? undefined : parse(url);
    },
    // The classification made once per request (classify.middleware), never a second parse of the path.
    pathFilter: (_pathname, req) => serves(routeOf(req)?.upstream),
    // WebSocket upgrades are authenticated and proxied by the server's own 'upgrade' listener; ws: true
    // would make the middleware subscribe a second, unauthenticated one.
    ws: false,
    changeOrigin: false,
    xfwd: false,
    proxyTimeout: opts.timeoutMs,
    agent: opts.agent,
    // The default plugins minus the logger one, which builds a URL and a log line for every proxied
    // response only to hand them to a no-op logger; failures are logged by `on.error` below.
    ejectPlugins: true,
    plugins: [debugProxyErrorsPlugin, proxyEventsPlugin],
    on: {
      proxyReq: (proxyReq, req) => {
        proxyReq.on('timeout', () => markTimedOut(req));
        fixRequestBody(proxyReq, req);
      },
      proxyReqWs: (proxyReq, _req, socket) => {
        proxyReq.once('upgrade', (_res: IncomingMessage, upstreamSocket: Socket) => {
          markUpgraded(socket);
          // The pipes end each side only on a clean end; a destroyed side (gateway stop, dead node) must
          // take the other down too, or the upstream keeps a half-open WebSocket.
          socket.once('close', () => upstreamSocket.destroy());
          upstreamSocket.once('close', () => socket.destroy());
        });
      },
      proxyRes: (proxyRes) => stripUpstreamHeaders(proxyRes.headers),
      error: (err, req, res) => {
        const timedOut = wasTimedOut(req);
        // The request id the gateway forwards (see authenticate.middleware.ts), so the line joins its request.
        const requestId = req.headers['x-request-id'];
        correlatedLogger(opts.logger, typeof requestId === 'string' ? requestId : undefined).warn(
          {
            upstream: routeOf(req)?.upstream,
            code: (err as NodeJS.ErrnoException).code,
            timedOut,
            path: req.url?.split('?')[0],
          },
          'upstream request failed',
        );
        opts.onUnreachable?.(req);
        replyWithError(res, timedOut ? gatewayErrors.upstreamTimeout() : gatewayErrors.upstreamUnavailable());
      },
    },
  });
}
