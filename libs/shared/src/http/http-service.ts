import type { Server } from 'node:http';
import express, { type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger/index.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { expressServerOptions } from './express-prototypes.js';
import { createListener, type Listener, type UpgradeHandler } from './listener.js';
import { createHttpMetrics, type HttpMetrics } from './metrics.js';
import { type Readiness, type ReadinessChecks, readinessHandler } from './readiness.js';
import { requestId } from './request-id.js';

export interface HttpServiceOptions {
  name: string;
  logger: Logger;
  /** Each check throws (or rejects) when its dependency is not ready. */
  readiness?: ReadinessChecks;
  /** Shown in the detailed /readyz beside `readiness` but never failing it: what the service works without. */
  reportedChecks?: ReadinessChecks;
  /** More fields for the detailed /readyz reply. */
  readinessDetails?: () => Record<string, unknown>;
  readinessTimeoutMs?: number;
  /** express.json body limit; default '100kb'. `false` leaves bodies unread, for a proxy that streams them. */
  jsonLimit?: string | false;
  /**
   * Express's ETag on every reply (default true): a SHA-1 of each body, POSTs included. A service whose
   * replies are never revalidated turns it off rather than hash every reply.
   */
  etag?: boolean;
  /** Run on every request right after the request id, before the probes (e.g. a proxy's path checks). */
  first?: RequestHandler[];
  /**
   * Where /metrics and the detailed /readyz are served. 'public' (default): on the service's port.
   * 'internal': on a second listener, started when start() is given its address; the public port then
   * answers only /healthz and a bare /readyz `{ status }`.
   */
  probes?: 'public' | 'internal';
  /** Mounted after json/requestId/metrics, before notFound + errorHandler. */
  routes: (app: express.Express) => void;
  /** WebSocket upgrades the service handles itself; those sockets are cut as soon as stop() begins. */
  onUpgrade?: UpgradeHandler;
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
  /** `internal`: the address of the operators' listener (see `probes`), when the service has one. */
  start(
    port: number,
    host?: string,
    internal?: { port: number; host?: string },
  ): Promise<{ port: number; url: string; internalUrl?: string }>;
  stop(): Promise<void>;
}

/** Operators' scrapes are short: the internal listener does not wait long for them. */
const INTERNAL_GRACE_MS = 1_000;

function mountProbes(app: express.Express, readiness: Readiness, metrics: HttpMetrics | undefined): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readinessHandler(readiness, metrics ? 'detailed' : 'bare'));
  if (metrics) app.get('/metrics', metrics.handler);
}

function buildApp(opts: HttpServiceOptions, readiness: Readiness, metrics: HttpMetrics): express.Express {
  const app = express();
  app.disable('x-powered-by');
  if (opts.etag === false) app.disable('etag');
  app.use(metrics.middleware);
  app.use(requestId());
  if (opts.jsonLimit !== false) app.use(express.json({ limit: opts.jsonLimit ?? '100kb' }));
  if (opts.first?.length) app.use(opts.first);
  mountProbes(app, readiness, opts.probes === 'internal' ? undefined : metrics);
  opts.routes(app);
  app.use(notFoundHandler);
  app.use(errorHandler(opts.logger));
  return app;
}

/** The operators' port: /healthz, the detailed /readyz and /metrics, nothing else. */
function buildInternalApp(opts: HttpServiceOptions, readiness: Readiness, metrics: HttpMetrics) {
  const app = express();
  app.disable('x-powered-by');
  mountProbes(app, readiness, metrics);
  app.use(notFoundHandler, errorHandler(opts.logger));
  return app;
}

async function runOnStop(opts: HttpServiceOptions): Promise<void> {
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
}

/**
 * An Express service with /healthz, /readyz, /metrics, request ids, JSON bodies, the shared 404 and error
 * handlers, and a graceful stop(): stop accepting, let in-flight requests finish, then run `onStop` in order.
 */
export function createHttpService(opts: HttpServiceOptions): HttpService {
  const metrics = createHttpMetrics(opts.name);
  const readiness: Readiness = {
    checks: opts.readiness ?? {},
    reported: opts.reportedChecks,
    details: opts.readinessDetails,
    timeoutMs: opts.readinessTimeoutMs ?? 2_000,
  };
  const app = buildApp(opts, readiness, metrics);
  const { logger, onUpgrade } = opts;
  const main = createListener(app, {
    label: opts.name,
    logger,
    onUpgrade,
    serverOptions: expressServerOptions(app),
  });
  let internal: Listener | undefined;
  let stopping: Promise<void> | undefined;

  const start: HttpService['start'] = async (port, host, internalAddress) => {
    const address = await main.listen(port, host);
    if (opts.probes !== 'internal' || !internalAddress) return address;
    const internalApp = buildInternalApp(opts, readiness, metrics);
    internal = createListener(internalApp, {
      label: `${opts.name} internal port`,
      logger,
      serverOptions: expressServerOptions(internalApp),
    });
    try {
      const { url } = await internal.listen(internalAddress.port, internalAddress.host);
      return { ...address, internalUrl: url };
    } catch (err) {
      // Half a start must not leave the public port listening.
      await main.close(0);
      throw err;
    }
  };

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all([main.close(opts.gracePeriodMs ?? 5_000), internal?.close(INTERNAL_GRACE_MS)]);
      await runOnStop(opts);
    })();
    return stopping;
  };

  return { app, server: main.server, registry: metrics.registry, start, stop };
}
