import { setMaxListeners } from 'node:events';
import { QUEUES, shardQueueOf } from '@chat/shared/events';
import type { Logger } from '@chat/shared/logger';
import type { Broker, Consumer } from '@chat/shared/messaging';
import type { Redis } from '@chat/shared/redis';
import type { Config } from './config.js';
import { createEventsOnceStore, type EventsOnceStore } from './data-access/events-once.store.js';
import { createHeldMessagesStore, type HeldMessagesStore } from './data-access/held-messages.store.js';
import { createMessageChangesStore, type MessageChangesStore } from './data-access/message-changes.store.js';
import { createRelationsStore, type RelationsStore } from './data-access/relations.store.js';
import type { DeliveryObserver } from './domain/delivery-observer.js';
import type { PresenceTracker } from './domain/presence.js';
import { startEventConsumers } from './entry-points/messaging/event-consumers.js';
import { createOutageGate } from './entry-points/redis/outage-gate.js';
import type { RealtimeMetrics } from './metrics.js';

/** How a node wires its stores and consumers (node.ts keeps the boot and stop order). */

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
