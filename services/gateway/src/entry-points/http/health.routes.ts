import type { createHttpMetrics } from '@chat/shared/http';
import { pingRedis, type Redis } from '@chat/shared/redis';
import express, { type Router } from 'express';
import type { RealtimeNodePool } from '../../data-access/realtime-nodes.js';
import type { HealthReply, PublicReadinessReply, ReadinessReply } from '../../domain/health-replies.js';

function redisIsUp(redis: Redis | undefined): Promise<boolean> {
  if (redis === undefined) return Promise.resolve(false);
  return pingRedis(redis).then(
    () => true,
    () => false,
  );
}

/**
 * The public port's probes: GET /healthz (alive) and a bare GET /readyz (Redis reachable), which load
 * balancers in front of the gateway may need. Nothing about the inside (node addresses, metrics) is told.
 */
export function publicHealthRoutes(opts: { redis: () => Redis | undefined }): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    const reply: HealthReply = { status: 'ok' };
    res.json(reply);
  });
  router.get('/readyz', async (_req, res) => {
    const up = await redisIsUp(opts.redis());
    const reply: PublicReadinessReply = { status: up ? 'ready' : 'not ready' };
    res.status(up ? 200 : 503).json(reply);
  });
  return router;
}

/** The internal port (INTERNAL_PORT): /healthz, /readyz with each check and realtime node, /metrics. */
export function internalHealthRoutes(opts: {
  redis: () => Redis | undefined;
  pool: RealtimeNodePool;
  metrics: ReturnType<typeof createHttpMetrics>;
}): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    const reply: HealthReply = { status: 'ok' };
    res.json(reply);
  });
  router.get('/readyz', async (_req, res) => {
    const redisUp = await redisIsUp(opts.redis());
    const realtimeNodes = opts.pool.status();
    // REST keeps working without realtime nodes, so they are reported, not required.
    const reply: ReadinessReply = {
      status: redisUp ? 'ready' : 'not ready',
      checks: {
        redis: redisUp ? 'up' : 'down',
        realtime: realtimeNodes.some((node) => node.healthy) ? 'up' : 'down',
      },
      realtimeNodes,
    };
    res.status(redisUp ? 200 : 503).json(reply);
  });
  router.get('/metrics', opts.metrics.handler);
  return router;
}
