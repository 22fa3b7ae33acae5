import {
  createHttpService,
  createServiceApp,
  type HttpService,
  type ServiceApp,
  type ServiceContext,
} from '@chat/shared/http';
import type { Logger } from '@chat/shared/logger';
import { type Broker, brokerReadiness, type Consumer, createBroker } from '@chat/shared/messaging';
import { adapterChannelPrefix, closeRedis, pingRedis, type Redis } from '@chat/shared/redis';
import type { Config } from './config.js';
import { createStatusStore } from './data-access/status.store.js';
import type { PresenceTracker } from './domain/presence.js';
import type { StatusDeps } from './domain/status.js';
import { cancelAll } from './entry-points/messaging/event-consumers.js';
import { type RevocationRecheck, startRevocationRecheck } from './entry-points/redis/revocation.recheck.js';
import {
  type RevocationSubscriber,
  startRevocationSubscriber,
} from './entry-points/redis/revocation.subscriber.js';
import { type StatusUntilPoller, startStatusUntilPoller } from './entry-points/redis/status-until.poller.js';
import {
  startUserEventsSubscriber,
  type UserEventsSubscriber,
} from './entry-points/redis/user-events.subscriber.js';
import {
  createIoNotifier,
  createIoServer,
  disconnectJti,
  disconnectUserTokens,
  type RealtimeServer,
} from './entry-points/socket/io.server.js';
import { createRealtimeMetrics } from './metrics.js';
import {
  connectRedis,
  createPresence,
  createStores,
  type NodeContext,
  serveSockets,
  startConsumers,
} from './node-wiring.js';

/** A realtime node; `kill()` dies like SIGKILL would (no presence cleanup, connections cut), for tests. */
export type RealtimeApp = ServiceApp;

/** What a started node stops before its HTTP server closes (Socket.IO, AMQP and Redis close after it). */
interface RunningNode {
  io: RealtimeServer;
  presence: PresenceTracker;
  consumers: Consumer[];
  /** Aborted on stop or crash: deliveries held during a Redis outage give up and are requeued. */
  stopping: AbortController;
  revocations: RevocationSubscriber;
  recheck: RevocationRecheck;
  userEvents: UserEventsSubscriber;
  statusUntil: StatusUntilPoller;
}

// Closing the engine connection (not a Socket.IO disconnect) makes socket.io-client reconnect by itself.
function sendClientsElsewhere(io: RealtimeServer): void {
  for (const socket of io.of('/').sockets.values()) socket.conn.close();
}

/**
 * Graceful (handshakes are refused by now): finish in-flight deliveries, send clients to another node,
 * remove this node's presence (offline for users with no socket elsewhere); the HTTP server closes next.
 */
async function drainNode(node: RunningNode): Promise<void> {
  node.stopping.abort();
  await node.statusUntil.stop();
  await node.recheck.stop();
  await cancelAll(node.consumers);
  sendClientsElsewhere(node.io);
  await node.presence.stop();
  await node.revocations.stop();
  await node.userEvents.stop();
}

/** Crash simulation: no presence cleanup (its users must lapse), clients cut loose, timers halted. */
async function crashNode(node: RunningNode): Promise<void> {
  node.presence.halt();
  void node.statusUntil.stop();
  void node.recheck.stop();
  node.stopping.abort();
  sendClientsElsewhere(node.io);
  await Promise.allSettled([node.revocations.stop()]);
}

/** Everything the node runs once Redis, AMQP and Socket.IO are up; presence joins before consuming starts. */
async function startNode(
  ctx: NodeContext,
  deps: { io: RealtimeServer; redis: Redis; revocationRedis: Redis; broker: Broker },
): Promise<RunningNode> {
  const { config, logger } = ctx;
  const { io, redis, revocationRedis, broker } = deps;
  const notifier = createIoNotifier(io);
  // Subscribed before any socket or consumer, so no emit recorded by this node is missed here.
  const userEvents = await startUserEventsSubscriber(revocationRedis, {
    io,
    publisher: redis,
    logger,
    nodeId: config.NODE_ID,
  });
  const stores = createStores(ctx, redis);
  const status: StatusDeps = {
    status: createStatusStore(redis),
    held: stores.held,
    notifier,
    observer: stores.observer,
    relayed: () => userEvents.relayed(),
    logger,
  };
  const presence = createPresence(ctx, redis, notifier);
  await presence.start();
  const revocationMemory = serveSockets(ctx, io, { presence, status, stores, redis });
  const revocations = await startRevocationSubscriber(revocationRedis, {
    onRevoked: (revocation) => {
      revocationMemory.remember(revocation);
      if (revocation.kind === 'token') disconnectJti(io, revocation.jti);
      // Every node hears it, so each closes its own sockets of the user.
      else disconnectUserTokens(io, revocation.userId, revocation.before);
    },
    logger,
  });
  const recheck = startRevocationRecheck(io, { redis, intervalMs: config.REVOCATION_RECHECK_MS, logger });
  const stopping = new AbortController();
  const consumers = await startConsumers(ctx, { broker, redis, presence, stores, stopping });
  const statusUntil = startStatusUntilPoller(status, { pollMs: config.STATUS_UNTIL_POLL_MS, logger });
  return { io, presence, consumers, stopping, revocations, recheck, userEvents, statusUntil };
}

/** Connect Redis and RabbitMQ, attach Socket.IO to the HTTP service, then start the node. */
async function buildNode({ config, logger, onClose, steps }: ServiceContext<Config>): Promise<HttpService> {
  let draining = false;
  const redisClients = await connectRedis(config, logger);
  const [redis, pub, sub, revocationRedis] = redisClients;
  onClose(() => Promise.all(redisClients.map(closeRedis)));
  const name = `realtime-${config.NODE_ID}`;
  const broker = createBroker({ url: config.AMQP_URL, namespace: config.AMQP_NAMESPACE, logger, name });
  onClose(() => broker.close());
  await broker.waitForConnect();
  const http = createHttpService({
    name: 'realtime',
    logger,
    readiness: {
      // A draining node refuses handshakes; say so, so load balancers stop sending clients here.
      accepting: () => {
        if (draining) throw new Error('draining');
      },
      redis: () => pingRedis(redis),
      rabbitmq: brokerReadiness(broker),
    },
    routes: () => {},
  });
  const isDraining = () => draining;
  const ctx = { config, logger, metrics: createRealtimeMetrics(http.registry), isDraining };
  const io = createIoServer(http.server, {
    corsOrigins: config.CORS_ORIGINS,
    pub,
    sub,
    channelPrefix: adapterChannelPrefix(redis),
    isDraining,
    adapter: config.REDIS_ADAPTER,
  });
  onClose(() => io.close());
  const node = await startNode(ctx, { io, redis, revocationRedis, broker });
  const stopAs = (how: (running: RunningNode) => Promise<void>) => () => {
    draining = true;
    return how(node);
  };
  steps.drain(stopAs(drainNode));
  steps.crash(stopAs(crashNode));
  return http;
}

/** A realtime node: Socket.IO on the shared HTTP service, presence and status in Redis, delivery from AMQP. */
export function createApp(config: Config, overrides: { logger?: Logger } = {}): RealtimeApp {
  return createServiceApp({
    name: 'realtime',
    config,
    logger: overrides.logger,
    bindings: { node: config.NODE_ID },
    build: buildNode,
  });
}
