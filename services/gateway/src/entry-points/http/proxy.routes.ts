import type { Agent, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parse as parseUrl, type UrlWithStringQuery } from 'node:url';
import type { Logger } from '@chat/shared/logger';
import {
  createProxyMiddleware,
  fixRequestBody,
  type RequestHandler as ProxyHandler,
} from 'http-proxy-middleware';
import type { Upstream } from '../../domain/route-policy.js';
import { gatewayErrors } from '../../errors.js';
import { routeOf } from './classify.middleware.js';
import { markTimedOut, markUpgraded, replyWithError, wasTimedOut } from './proxy-errors.js';

export interface ProxyOptions {
  /** The upstream this proxy serves, or a map of upstreams to their fixed URLs (one proxy for them all). */
  upstream: Upstream | Partial<Record<Upstream, string>>;
  /** A fixed URL, or a per-request choice (realtime nodes) made before the proxy runs. */
  target?: string | ((req: IncomingMessage) => string | undefined);
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

function parseTargets(urls: Partial<Record<Upstream, string>>): Map<Upstream, UrlWithStringQuery> {
  const parsed = new Map<Upstream, UrlWithStringQuery>();
  for (const [upstream, url] of Object.entries(urls) as Array<[Upstream, string | undefined]>) {
    if (url !== undefined) parsed.set(upstream, parseUrl(url));
  }
  return parsed;
}

/**
 * One upstream behind http-proxy-middleware: the path reaches it unchanged (pathFilter, no rewrite), a body
 * parsed at the gateway is re-streamed, and an unreachable upstream gives a quick JSON 502/503.
 */
export function createUpstreamProxy(opts: ProxyOptions): ProxyHandler {
  const { target } = opts;
  // Parsed once here; http-proxy would parse a string target again on every request.
  const parsed = typeof opts.upstream === 'string' ? undefined : parseTargets(opts.upstream);
  const serves = (upstream: Upstream | undefined): boolean =>
    upstream !== undefined && (parsed ? parsed.has(upstream) : upstream === opts.upstream);
  const fixedTarget = typeof target === 'string' ? target : undefined;
  const router = parsed
    ? (req: IncomingMessage) => {
        const upstream = routeOf(req)?.upstream;
        return upstream === undefined ? undefined : parsed.get(upstream);
      }
    : typeof target === 'function'
      ? (req: IncomingMessage) => target(req)
      : undefined;
  return createProxyMiddleware<IncomingMessage, ServerResponse>({
    // The router below always wins for per-request targets; this placeholder is never contacted.
    target: fixedTarget ?? 'http://127.0.0.1:9',
    ...(router ? { router } : {}),
    // The classification made once per request (classify.middleware), never a second parse of the path.
    pathFilter: (_pathname, req) => serves(routeOf(req)?.upstream),
    // WebSocket upgrades are authenticated and proxied by the server's own 'upgrade' listener; ws: true
    // would make the middleware subscribe a second, unauthenticated one.
    ws: false,
    changeOrigin: false,
    xfwd: false,
    proxyTimeout: opts.timeoutMs,
    agent: opts.agent,
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
        opts.logger.warn(
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
