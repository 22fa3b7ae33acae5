import { createServer, type Server } from 'node:http';
import { type createHttpMetrics, errorHandler, notFoundHandler } from '@chat/shared/http';
import type { Logger } from '@chat/shared/logger';
import type { Redis } from '@chat/shared/redis';
import express from 'express';
import type { RealtimeNodePool } from '../../data-access/realtime-nodes.js';
import { internalHealthRoutes } from './health.routes.js';
import { closeServer, listen } from './server.js';

export interface InternalServer {
  start(port: number, host: string): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

/** A second listener, never published, for what only operators and scrapers may read: /metrics, /readyz. */
export function createInternalServer(opts: {
  redis: () => Redis | undefined;
  pool: RealtimeNodePool;
  metrics: ReturnType<typeof createHttpMetrics>;
  logger: Logger;
}): InternalServer {
  const app = express();
  app.disable('x-powered-by');
  app.use(internalHealthRoutes(opts), notFoundHandler, errorHandler(opts.logger));
  const server: Server = createServer(app);
  return {
    start: (port, host) => listen(server, port, host),
    stop: () => closeServer(server, new Set(), 1_000),
  };
}
