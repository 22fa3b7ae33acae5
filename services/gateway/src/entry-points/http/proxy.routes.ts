import type { Agent, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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
  upstream: Upstream;
  /** A fixed URL, or a per-request choice (realtime nodes) made before the proxy runs. */
  target: string | ((req: IncomingMessage) => string | undefined);
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

/**
 * One upstream behind http-proxy-middleware: the path reaches it unchanged (pathFilter, no rewrite), a body
 * parsed at the gateway is re-streamed, and an unreachable upstream gives a quick JSON 502/503.
 */
export function createUpstreamProxy(opts: ProxyOptions): ProxyHandler {
  const { target } = opts;
  const fixedTarget = typeof target === 'string' ? target : undefined;
  return createProxyMiddleware<IncomingMessage, ServerResponse>({
    // The router below always wins for per-request targets; this placeholder is never contacted.
    target: fixedTarget ?? 'http://127.0.0.1:9',
    ...(typeof target === 'function' ? { router: (req: IncomingMessage) => target(req) } : {}),
    // The classification made once per request (classify.middleware), never a second parse of the path.
    pathFilter: (_pathname, req) => routeOf(req)?.upstream === opts.upstream,
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
            upstream: opts.upstream,
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
