import type { createHttpMetrics } from '@chat/shared/http';
import { pingRedis, type Redis } from '@chat/shared/redis';
import express, { type Router } from 'express';
import type { RealtimeNodePool } from '../../data-access/realtime-nodes.js';
import type { HealthReply, ReadinessReply } from '../../domain/health-replies.js';

/** GET /healthz (alive), /readyz (Redis reachable; realtime node health reported), /metrics. */
export function healthRoutes(opts: {
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
    const redis = opts.redis();
    const redisUp =
      redis !== undefined &&
      (await pingRedis(redis).then(
        () => true,
        () => false,
      ));
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
