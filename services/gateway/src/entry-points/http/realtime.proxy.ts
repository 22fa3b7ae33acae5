import { randomUUID } from 'node:crypto';
import type { Agent, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Caller } from '@chat/shared/auth';
import { AppError } from '@chat/shared/http';
import type { Logger } from '@chat/shared/logger';
import type { RequestHandler } from 'express';
import type { RealtimeNodePool } from '../../data-access/realtime-nodes.js';
import { clientKey } from '../../domain/client-address.js';
import { isOriginAllowed } from '../../domain/origin-policy.js';
import { pickRealtimeNode } from '../../domain/pick-realtime-node.js';
import { gatewayErrors } from '../../errors.js';
import { classifyTarget, routeOf } from './classify.middleware.js';
import { authenticateRequest, type IdentityOptions, setIdentityHeaders } from './identity.js';
import { createUpstreamProxy } from './proxy.routes.js';
import { replyWithError } from './proxy-errors.js';

export interface RealtimeProxyOptions {
  pool: RealtimeNodePool;
  identity: IdentityOptions;
  allowedOrigins: readonly string[];
  agent: Agent;
  timeoutMs: number;
  logger: Logger;
}

export interface RealtimeProxy {
  /** Express middleware: picks the caller's node (after `authenticate`), then proxies polling requests. */
  http: RequestHandler[];
  /** The server's 'upgrade' listener: origin check, authentication, node choice, then the WebSocket proxy. */
  upgrade: (req: IncomingMessage, socket: Socket, head: Buffer) => Promise<void>;
}

// Same rule as the shared requestId middleware, which does not run for upgrade requests.
function safeRequestId(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
}

/**
 * Tells the realtime node which client the handshake comes from (its per-address handshake limit), in place
 * of anything the client sent under that name.
 */
function stateClientAddress(req: IncomingMessage, address: string | undefined): void {
  req.headers['x-client-address'] = clientKey(address ?? '');
}

/** Socket.IO through the gateway: every request of a user (polling and upgrade) goes to the same healthy node. */
export function createRealtimeProxy(opts: RealtimeProxyOptions): RealtimeProxy {
  const targets = new WeakMap<IncomingMessage, string>();
  const choose = (req: IncomingMessage, caller: Caller): void => {
    const node = pickRealtimeNode(opts.pool.healthyNodes(), caller.userId);
    if (!node) throw gatewayErrors.noRealtimeNode();
    targets.set(req, node);
  };
  const proxy = createUpstreamProxy({
    upstreams: ['realtime'],
    target: (req) => targets.get(req),
    agent: opts.agent,
    timeoutMs: opts.timeoutMs,
    logger: opts.logger,
    onUnreachable: (req) => {
      const node = targets.get(req);
      if (node) opts.pool.markDown(node);
    },
  });

  const select: RequestHandler = (req, res, next) => {
    const caller = res.locals.caller as Caller | undefined;
    if (routeOf(req)?.upstream !== 'realtime' || !caller) return next();
    // req.ip honours `trust proxy`, like the HTTP rate limits.
    stateClientAddress(req, req.ip ?? req.socket.remoteAddress);
    choose(req, caller);
    next();
  };

  const upgrade = async (req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> => {
    socket.on('error', (err) => opts.logger.debug({ err }, 'client socket error during upgrade'));
    try {
      if (classifyTarget(req)?.upstream !== 'realtime') {
        throw new AppError('HTTP.NOT_FOUND', 404, 'Not found');
      }
      const check = {
        method: 'GET',
        origin: req.headers.origin,
        host: req.headers.host,
        isSocketHandshake: true,
      };
      if (!isOriginAllowed(check, opts.allowedOrigins)) throw gatewayErrors.originNotAllowed();
      setIdentityHeaders(req, undefined, opts.identity.tokens);
      const { caller } = await authenticateRequest(req, true, opts.identity);
      setIdentityHeaders(req, caller, opts.identity.tokens);
      req.headers['x-request-id'] = safeRequestId(req.headers['x-request-id']);
      stateClientAddress(req, req.socket.remoteAddress);
      choose(req, caller);
      // The proxy's pathFilter reads the same classification, so every upgrade that got here is proxied.
      proxy.upgrade(req, socket, head);
    } catch (err) {
      const known = err instanceof AppError ? err : gatewayErrors.upstreamUnavailable();
      if (!(err instanceof AppError)) opts.logger.error({ err }, 'websocket upgrade failed');
      replyWithError(socket, known);
    }
  };

  return { http: [select, proxy], upgrade };
}
