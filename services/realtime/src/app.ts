import { createHttpService } from '@chat/shared/http';
import { createLogger, type Logger } from '@chat/shared/logger';
import { pingRedis } from '@chat/shared/redis';
import type { Config } from './config.js';
import { createRealtimeMetrics } from './metrics.js';
import { bootNode, crashNode, type RunningNode, stopNode } from './node.js';

export interface RealtimeApp {
  start(): Promise<{ url: string; port: number }>;
  /** Graceful: stop consuming, send clients elsewhere, remove this node's presence, close everything. */
  stop(): Promise<void>;
  /** Tests only: die like SIGKILL would (no presence cleanup, connections cut), then free resources. */
  kill(): Promise<void>;
}

/** A realtime node: Socket.IO on the shared HTTP service, presence and status in Redis, delivery from AMQP. */
export function createApp(config: Config, overrides: { logger?: Logger } = {}): RealtimeApp {
  const base = overrides.logger ?? createLogger({ service: 'realtime', level: config.LOG_LEVEL });
  const logger = base.child({ node: config.NODE_ID });
  let node: RunningNode | undefined;
  let draining = false;

  const http = createHttpService({
    name: 'realtime',
    logger,
    readiness: {
      // A draining node refuses handshakes; say so, so load balancers stop sending clients here.
      accepting: () => {
        if (draining) throw new Error('draining');
      },
      redis: () => (node ? pingRedis(node.redis) : Promise.reject(new Error('not started'))),
      rabbitmq: () => {
        if (!node?.broker.isConnected()) throw new Error('amqp not connected');
      },
    },
    routes: () => {},
  });
  const metrics = createRealtimeMetrics(http.registry);

  let stopping: Promise<void> | undefined;
  const shutDown = (how: (running: RunningNode) => Promise<void>) => () => {
    draining = true;
    stopping ??= node ? how(node) : http.stop();
    return stopping;
  };

  return {
    async start() {
      node = await bootNode({ config, logger, metrics, httpServer: http.server, isDraining: () => draining });
      const address = await http.start(config.PORT, config.HOST);
      logger.info({ url: address.url }, 'realtime node ready');
      return address;
    },
    stop: shutDown((running) => stopNode(running, () => http.stop())),
    kill: shutDown((running) => crashNode(running, http.server, () => http.stop())),
  };
}
