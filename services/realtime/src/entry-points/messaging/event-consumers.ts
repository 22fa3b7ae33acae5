import type { Broker, Consumer, QueueShard } from '@chat/shared/messaging';
import type { Redis } from '@chat/shared/redis';
import type { EventsOnceStore } from '../../data-access/events-once.store.js';
import type { RelationsStore } from '../../data-access/relations.store.js';
import { applyBlockChange } from '../../domain/block-change.js';
import { applyMessageDeleted } from '../../domain/delete-message.js';
import type { DeliveryDeps } from '../../domain/deliver-message.js';
import { applyConversationRead } from '../../domain/read-receipt.js';
import { applyMessageUpdated, type ChangeMessageDeps } from '../../domain/update-message.js';
import type { OutageGate } from '../redis/outage-gate.js';
import { startGatedConsumer } from './gated-consumer.js';
import { startMessageCreatedConsumer } from './message-created.consumer.js';

export interface EventConsumersOptions {
  queues: {
    /** One queue, or the shards message.created is split over (every node consumes all of them). */
    created: Array<{ queue: string; shard?: QueueShard }>;
    updated: string;
    deleted: string;
    read: string;
    blocked: string;
    unblocked: string;
  };
  createdPrefetch: number;
  prefetch: number;
  redis: Redis;
  gate: OutageGate;
  stopping: AbortSignal;
  delivery: DeliveryDeps;
  changes: ChangeMessageDeps;
  once: EventsOnceStore;
  relations: RelationsStore;
}

/** Every consumer of the node, each behind the same outage gate. Cancel them with `cancelAll`. */
export async function startEventConsumers(broker: Broker, opts: EventConsumersOptions): Promise<Consumer[]> {
  const { queues, redis, gate, stopping, prefetch } = opts;
  const { logger } = opts.changes;
  const gated = (queue: string) => ({ queue, prefetch, redis, gate, stopping, logger });
  const blocks = { relations: opts.relations, logger };
  return Promise.all([
    ...queues.created.map(({ queue, shard }) =>
      startMessageCreatedConsumer(broker, {
        ...gated(queue),
        ...(shard ? { shard } : {}),
        prefetch: opts.createdPrefetch,
        deps: opts.delivery,
      }),
    ),
    startGatedConsumer(
      broker,
      'message.updated',
      gated(queues.updated),
      (event, log) => () => applyMessageUpdated({ ...opts.changes, logger: log }, event),
    ),
    startGatedConsumer(
      broker,
      'message.deleted',
      gated(queues.deleted),
      (event, log) => () => applyMessageDeleted({ ...opts.changes, logger: log }, event),
    ),
    startGatedConsumer(
      broker,
      'conversation.read',
      gated(queues.read),
      (event) => () => applyConversationRead({ once: opts.once }, event),
    ),
    startGatedConsumer(
      broker,
      'user.blocked',
      gated(queues.blocked),
      (event, log) => () => applyBlockChange({ ...blocks, logger: log }, event, 'block'),
    ),
    startGatedConsumer(
      broker,
      'user.unblocked',
      gated(queues.unblocked),
      (event, log) => () => applyBlockChange({ ...blocks, logger: log }, event, 'unblock'),
    ),
  ]);
}

/** Stop every consumer, waiting for the events in flight. */
export async function cancelAll(consumers: Consumer[]): Promise<void> {
  await Promise.all(consumers.map((consumer) => consumer.cancel()));
}
