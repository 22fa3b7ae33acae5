import { setMaxListeners } from 'node:events';
import { QUEUES, shardQueueOf } from '@chat/shared/events';
import type { Logger } from '@chat/shared/logger';
import type { Broker, Consumer } from '@chat/shared/messaging';
import { createRedis, type Redis } from '@chat/shared/redis';
import type { Config } from './config.js';
import { createEventsOnceStore, type EventsOnceStore } from './data-access/events-once.store.js';
import { createHeldMessagesStore, type HeldMessagesStore } from './data-access/held-messages.store.js';
import { createMessageChangesStore, type MessageChangesStore } from './data-access/message-changes.store.js';
import { createPresenceStore } from './data-access/presence.store.js';
import { createRelationsStore, type RelationsStore } from './data-access/relations.store.js';
import { createUserSeqStore } from './data-access/user-seq.store.js';
import type { DeliveryObserver } from './domain/delivery-observer.js';
import type { Notifier } from './domain/notifier.js';
import { createPresenceTracker, type PresenceTracker } from './domain/presence.js';
import { createRevocationMemory, type RevocationMemory } from './domain/revocation-memory.js';
import type { StatusDeps } from './domain/status.js';
import { startEventConsumers } from './entry-points/messaging/event-consumers.js';
import { createOutageGate } from './entry-points/redis/outage-gate.js';
import { authenticateHandshake, createAdmitted } from './entry-points/socket/auth.middleware.js';
import { handleConnection } from './entry-points/socket/connection.handler.js';
import type { RealtimeServer } from './entry-points/socket/io.server.js';
import type { RealtimeMetrics } from './metrics.js';

/**
 * How a node wires its Redis clients, stores, presence, sockets and consumers (app.ts keeps the boot and
 * stop order).
 */

/** What every part of a node is built with. */
export interface NodeContext {
  config: Config;
  logger: Logger;
  metrics: RealtimeMetrics;
  isDraining: () => boolean;
}

/** Main, adapter pub, adapter sub, revocation subscriber; all connected. */
export async function connectRedis(config: Config, logger: Logger): Promise<[Redis, Redis, Redis, Redis]> {
  const names = ['main', 'adapter-pub', 'adapter-sub', 'revocations'];
  const clients = names.map((name) =>
    createRedis(config.REDIS_URL, {
      logger,
      name: `realtime-${name}`,
      lazy: true,
      // The adapter names its channels itself (see createIoServer's channelPrefix): ioredis would also prefix
      // sharded channels (SPUBLISH/SSUBSCRIBE take them as keys) and the adapter would not recognise them.
      prefix: name.startsWith('adapter-') ? '' : config.REDIS_PREFIX,
    }),
  ) as [Redis, Redis, Redis, Redis];
  await Promise.all(clients.map((client) => client.connect()));
  return clients;
}

export function createPresence(
  ctx: { config: Config; logger: Logger },
  redis: Redis,
  notifier: Notifier,
): PresenceTracker {
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

function observerOf(metrics: RealtimeMetrics): DeliveryObserver {
  return {
    outcome: (outcome) => metrics.deliveries.inc({ outcome }),
    lag: (path, seconds) => metrics.deliveryLag.observe({ path }, seconds),
  };
}

/**
 * Consume every event behind an outage gate: while Redis is away (and, after a long outage, until
 * presence is re-asserted) events wait unacked instead of burning the delivery limit.
 */
export async function startConsumers(
  ctx: { config: Config; logger: Logger },
  opts: {
    broker: Broker;
    redis: Redis;
    presence: PresenceTracker;
    stores: Stores;
    stopping: AbortController;
  },
): Promise<Consumer[]> {
  const { config, logger } = ctx;
  const { stores, redis } = opts;
  // Every event held by an outage listens on it (up to the prefetches).
  setMaxListeners(0, opts.stopping.signal);
  const gate = createOutageGate(redis, {
    onRecovered: () => opts.presence.refreshNow(),
    lapseAfterMs: config.PRESENCE_TTL_MS - config.PRESENCE_REFRESH_MS,
    settleMs: config.PRESENCE_REFRESH_MS,
    logger,
  });
  opts.stopping.signal.addEventListener('abort', () => gate.stop(), { once: true });
  return startEventConsumers(opts.broker, {
    queues: {
      created: deliveryQueues(config),
      updated: QUEUES.realtimeMessageUpdated,
      deleted: QUEUES.realtimeMessageDeleted,
      read: QUEUES.realtimeConversationRead,
      blocked: QUEUES.realtimeUserBlocked,
      unblocked: QUEUES.realtimeUserUnblocked,
    },
    createdPrefetch: config.DELIVERY_PREFETCH,
    prefetch: config.EVENTS_PREFETCH,
    redis,
    gate,
    stopping: opts.stopping.signal,
    delivery: { held: stores.held, observer: stores.observer },
    changes: { changes: stores.changes, logger },
    once: stores.once,
    relations: stores.relations,
  });
}

/** DELIVERY_QUEUE alone, or its DELIVERY_QUEUES shards `<DELIVERY_QUEUE>.<k>`. */
function deliveryQueues(config: Config): Array<{ queue: string; shard?: { index: number; count: number } }> {
  const count = config.DELIVERY_QUEUES;
  if (count === 1) return [{ queue: config.DELIVERY_QUEUE }];
  return Array.from({ length: count }, (_, index) => ({
    queue: shardQueueOf(config.DELIVERY_QUEUE, index),
    shard: { index, count },
  }));
}

export interface Stores {
  held: HeldMessagesStore;
  changes: MessageChangesStore;
  once: EventsOnceStore;
  relations: RelationsStore;
  observer: DeliveryObserver;
}

export function createStores(ctx: { config: Config; metrics: RealtimeMetrics }, redis: Redis): Stores {
  const ttlSeconds = ctx.config.EVENT_MEMORY_SECONDS;
  return {
    held: createHeldMessagesStore(redis, { limit: ctx.config.HELD_LIMIT }),
    changes: createMessageChangesStore(redis, { ttlSeconds }),
    once: createEventsOnceStore(redis, { ttlSeconds }),
    relations: createRelationsStore(redis, { ttlSeconds, typingThrottleMs: ctx.config.TYPING_THROTTLE_MS }),
    observer: observerOf(ctx.metrics),
  };
}

/** Admission on every handshake, the handlers on every connection, and revocations cutting sockets off. */
export function serveSockets(
  ctx: NodeContext,
  io: RealtimeServer,
  deps: { presence: PresenceTracker; status: StatusDeps; stores: Stores; redis: Redis },
): RevocationMemory {
  const { config, logger, metrics, isDraining } = ctx;
  const { presence, status, stores, redis } = deps;
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
  const revocations = createRevocationMemory({ keepMs: 60_000 });
  const statusLimit = {
    perUser: config.STATUS_CHANGES_PER_USER,
    windowMs: config.STATUS_CHANGE_WINDOW_MS,
    namespace: config.RATE_LIMIT_NAMESPACE,
  };
  const eventsPerSecond = config.SOCKET_EVENTS_PER_SECOND;
  io.on('connection', (socket) =>
    handleConnection(socket, {
      ...{ presence, status, relations: stores.relations, seqs: createUserSeqStore(redis) },
      ...{ admitted, revocations, statusLimit, metrics, logger, eventsPerSecond },
    }),
  );
  return revocations;
}
