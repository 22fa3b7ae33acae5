import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger/index.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { createHttpMetrics, type HttpMetrics } from './metrics.js';
import { type ReadinessChecks, readinessHandler } from './readiness.js';
import { requestId } from './request-id.js';

export interface HttpServiceOptions {
  name: string;
  logger: Logger;
  /** Each check throws (or rejects) when its dependency is not ready. */
  readiness?: ReadinessChecks;
  readinessTimeoutMs?: number;
  /** express.json body limit; default '100kb'. */
  jsonLimit?: string;
  /** Mounted after json/requestId/metrics, before notFound + errorHandler. */
  routes: (app: express.Express) => void;
  /** Run in order once the HTTP server has stopped accepting and in-flight requests ended. */
  onStop?: Array<() => Promise<void>>;
  /** How long in-flight requests may run after stop() before their connections are cut; default 5000. */
  gracePeriodMs?: number;
}

export interface HttpService {
  app: express.Express;
  /** The underlying server, created up front so Socket.IO can attach before start(). */
  server: Server;
  /** The registry behind GET /metrics; services register their own series on it. */
  registry: Registry;
  start(port: number, host?: string): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
}

function buildApp(opts: HttpServiceOptions, metrics: HttpMetrics): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(metrics.middleware);
  app.use(requestId());
  app.use(express.json({ limit: opts.jsonLimit ?? '100kb' }));
  // Body parsing resumes in the socket's async context; bind the request id again for the routes.
  app.use(requestId());
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readinessHandler(opts.readiness ?? {}, opts.readinessTimeoutMs ?? 2_000));
  app.get('/metrics', metrics.handler);
  opts.routes(app);
  app.use(notFoundHandler);
  app.use(errorHandler(opts.logger));
  return app;
}

interface Tracked {
  inFlight: Set<ServerResponse>;
  sockets: Set<Socket>;
}

function closeServer(server: Server, { inFlight, sockets }: Tracked, gracePeriodMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  // A keep-alive socket whose last response just ended would hold close() open until its idle timeout.
  const closeWhenIdle = (): void => {
    setImmediate(() => server.closeIdleConnections());
  };
  const onRequestDuringClose = (_req: IncomingMessage, res: ServerResponse): void => {
    res.once('finish', closeWhenIdle);
  };
  for (const res of inFlight) res.once('finish', closeWhenIdle);
  server.on('request', onRequestDuringClose);
  return new Promise((resolve) => {
    // Cut connections still busy after the grace period so close() cannot hang forever; upgraded
    // (WebSocket) sockets are not HTTP connections any more, hence the raw socket list too.
    const timer = setTimeout(() => {
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    }, gracePeriodMs);
    server.close(() => {
      clearTimeout(timer);
      server.off('request', onRequestDuringClose);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * An Express service with /healthz, /readyz, /metrics, request ids, JSON bodies, the shared 404 and error
 * handlers, and a graceful stop(): stop accepting, let in-flight requests finish, then run `onStop` in order.
 */
export function createHttpService(opts: HttpServiceOptions): HttpService {
  const metrics = createHttpMetrics(opts.name);
  const app = buildApp(opts, metrics);
  const server = createServer(app);
  const tracked: Tracked = { inFlight: new Set(), sockets: new Set() };
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    tracked.inFlight.add(res);
    res.once('close', () => tracked.inFlight.delete(res));
  });
  server.on('connection', (socket: Socket) => {
    tracked.sockets.add(socket);
    socket.once('close', () => tracked.sockets.delete(socket));
  });
  let stopping: Promise<void> | undefined;

  const start = (port: number, host?: string): Promise<{ port: number; url: string }> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address() as AddressInfo;
        const shown = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
        const urlHost = shown.includes(':') ? `[${shown}]` : shown;
        opts.logger.info({ port: address.port, host: host ?? '*' }, `${opts.name} listening`);
        resolve({ port: address.port, url: `http://${urlHost}:${address.port}` });
      });
    });

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await closeServer(server, tracked, opts.gracePeriodMs ?? 5_000);
      // One failing close must not leave the later connections open.
      const failures: unknown[] = [];
      for (const close of opts.onStop ?? []) {
        await close().catch((err: unknown) => {
          opts.logger.error({ err }, 'close failed during stop');
          failures.push(err);
        });
      }
      opts.logger.info(`${opts.name} stopped`);
      if (failures.length > 0)
        throw new AggregateError(failures, `${opts.name}: ${failures.length} close(s) failed`);
    })();
    return stopping;
  };

  return { app, server, registry: metrics.registry, start, stop };
}
