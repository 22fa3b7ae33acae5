import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface HttpMetrics {
  registry: Registry;
  middleware: RequestHandler;
  handler: RequestHandler;
}

// Label by route pattern (`/send/:id`), never the raw URL: one series per route, not per id.
function routeLabel(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (!route || route.path === undefined) return 'unmatched';
  return `${req.baseUrl}${String(route.path)}` || '/';
}

/**
 * Series that libraries register once per process (e.g. dead-letter queue depths): every service's
 * /metrics serves them next to its own.
 */
export const libraryRegistry = new Registry();

/** A private prom-client registry with default process metrics and `http_request_duration_seconds`. */
export function createHttpMetrics(service: string): HttpMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.once('finish', () => {
      end({ method: req.method, route: routeLabel(req), status: String(res.statusCode) });
    });
    next();
  };
  const handler: RequestHandler = async (_req, res) => {
    const merged = Registry.merge([registry, libraryRegistry]);
    merged.setDefaultLabels({ service });
    res.setHeader('content-type', merged.contentType);
    res.send(await merged.metrics());
  };
  return { registry, middleware, handler };
}
