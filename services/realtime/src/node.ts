import type { Server as HttpServer } from 'node:http';
import type { Logger } from '@chat/shared/logger';
import { type Broker, type Consumer, createBroker } from '@chat/shared/messaging';
import { adapterChannelPrefix, createRedis, type Redis } from '@chat/shared/redis';
import type { Config } from './config.js';
import { createPresenceStore } from './data-access/presence.store.js';
import { createStatusStore } from './data-access/status.store.js';
import { createUserSeqStore } from './data-access/user-seq.store.js';
import { createPresenceTracker, type PresenceTracker } from './domain/presence.js';
import { createRevocationMemory } from './domain/revocation-memory.js';
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
import { authenticateHandshake, createAdmitted } from './entry-points/socket/auth.middleware.js';
import { handleConnection } from './entry-points/socket/connection.handler.js';
import {
  createIoNotifier,
  createIoServer,
  disconnectJti,
  disconnectUserTokens,
  type RealtimeServer,
} from './entry-points/socket/io.server.js';
import type { RealtimeMetrics } from './metrics.js';
import { createStores, startConsumers } from './node-consumers.js';

/** Everything a started node holds open. */
export interface RunningNode {
  redis: Redis;
  /** Main, adapter pub, adapter sub, revocation subscriber. */
  redisClients: Redis[];
  broker: Broker;
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

export interface NodeContext {
  config: Config;
  logger: Logger;
  metrics: RealtimeMetrics;
  httpServer: HttpServer;
  isDraining: () => boolean;
}

async function connectRedis(ctx: NodeContext): Promise<[Redis, Redis, Redis, Redis]> {
  const names = ['main', 'adapter-pub', 'adapter-sub', 'revocations'];
  const clients = names.map((name) =>
    createRedis(ctx.config.REDIS_URL, {
      logger: ctx.logger,
      name: `realtime-${name}`,
      lazy: true,
      // The adapter names its channels itself (see createIoServer's channelPrefix): ioredis would also prefix
      // sharded channels (SPUBLISH/SSUBSCRIBE take them as keys) and the adapter would not recognise them.
      prefix: name.startsWith('adapter-') ? '' : ctx.config.REDIS_PREFIX,
    }),
  ) as [Redis, Redis, Redis, Redis];
  await Promise.all(clients.map((client) => client.connect()));
  return clients;
}

function createPresence(ctx: NodeContext, redis: Redis, notifier: ReturnType<typeof createIoNotifier>) {
  const { config } = ctx;
  return createPresenceTracker({
    store: createPresenceStore(redis, { nodeId: config.NODE_ID, ttlMs: config.PRESENCE_TTL_MS }),
    notifier,
    logger: ctx.logger,
    refreshMs: config.PRESENCE_REFRESH_MS,
    sweepMs: config.PRESENCE_SWEEP_MS,
    broadcastMs: config.PRESENCE_BROADCAST_MS,
  });
}

/** Connect Redis and RabbitMQ, attach Socket.IO, join presence, then start consuming. */
export async function bootNode(ctx: NodeContext): Promise<RunningNode> {
  const { config, logger, metrics, isDraining } = ctx;
  const [redis, pub, sub, revocationRedis] = await connectRedis(ctx);
  const redisClients = [redis, pub, sub, revocationRedis];
  const broker = createBroker({
    url: config.AMQP_URL,
    namespace: config.AMQP_NAMESPACE,
    logger,
    name: `realtime-${config.NODE_ID}`,
  });
  try {
    await broker.waitForConnect();
  } catch (err) {
    await Promise.allSettled([broker.close(), ...redisClients.map((client) => client.quit())]);
    throw err;
  }
  const io = createIoServer(ctx.httpServer, {
    corsOrigins: config.CORS_ORIGINS,
    pub,
    sub,
    channelPrefix: adapterChannelPrefix(redis),
    isDraining,
    adapter: config.REDIS_ADAPTER,
  });
  const notifier = createIoNotifier(io);
  // Subscribed before any socket or consumer, so no emit recorded by this node is missed here.
  const userEvents = await startUserEventsSubscriber(revocationRedis, { io, publisher: redis, logger });
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
  const admitted = createAdmitted();
  const limits = {
    socketsPerUser: config.SOCKETS_PER_USER,
    handshakesPerUser: config.HANDSHAKES_PER_USER,
    handshakesPerIp: config.HANDSHAKES_PER_IP,
    windowMs: config.HANDSHAKE_WINDOW_MS,
    namespace: config.RATE_LIMIT_NAMESPACE,
  };
  io.use(
    authenticateHandshake({ jwtSecret: config.JWT_SECRET, presence, limits, admitted, isDraining, logger }),
  );
  const revocationMemory = createRevocationMemory({ keepMs: 60_000 });
  const statusLimit = {
    perUser: config.STATUS_CHANGES_PER_USER,
    windowMs: config.STATUS_CHANGE_WINDOW_MS,
    namespace: config.RATE_LIMIT_NAMESPACE,
  };
  const eventsPerSecond = config.SOCKET_EVENTS_PER_SECOND;
  io.on('connection', (socket) =>
    handleConnection(socket, {
      ...{ presence, status, relations: stores.relations, seqs: createUserSeqStore(redis) },
      ...{ admitted, revocations: revocationMemory, statusLimit, metrics, logger, eventsPerSecond },
    }),
  );
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
  return {
    ...{ redis, redisClients, broker, io, presence, consumers, stopping },
    ...{ revocations, recheck, userEvents, statusUntil },
  };
}

// Closing the engine connection (not a Socket.IO disconnect) makes socket.io-client reconnect by itself.
function sendClientsElsewhere(io: RealtimeServer): void {
  for (const socket of io.of('/').sockets.values()) socket.conn.close();
}

/**
 * Graceful stop (the caller has set draining, so handshakes are refused): finish in-flight deliveries,
 * send clients to another node, remove this node's presence (offline for users with no socket elsewhere),
 * then close the HTTP server, the adapter, AMQP and Redis.
 */
export async function stopNode(node: RunningNode, stopHttp: () => Promise<void>): Promise<void> {
  node.stopping.abort();
  await node.statusUntil.stop();
  await node.recheck.stop();
  await cancelAll(node.consumers);
  sendClientsElsewhere(node.io);
  await node.presence.stop();
  await node.revocations.stop();
  await node.userEvents.stop();
  await stopHttp();
  await node.io.close();
  await node.broker.close();
  await Promise.all(node.redisClients.map((client) => client.quit()));
}

/** Crash simulation: no presence cleanup (its users must lapse), connections cut, resources freed. */
export async function crashNode(node: RunningNode, httpServer: HttpServer, stopHttp: () => Promise<void>) {
  node.presence.halt();
  void node.statusUntil.stop();
  void node.recheck.stop();
  node.stopping.abort();
  sendClientsElsewhere(node.io);
  httpServer.closeAllConnections();
  await Promise.allSettled([stopHttp(), node.io.close(), node.revocations.stop()]);
  await Promise.allSettled([node.broker.close(), ...node.redisClients.map((client) => client.quit())]);
}
