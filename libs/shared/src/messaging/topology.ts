import type { Channel } from 'amqp-connection-manager';
import { type BrokerNames, deadLetterQueueOf } from '../events/index.js';

/** Declare the events exchange and the dead-letter exchange (idempotent). */
export async function assertExchanges(channel: Channel, names: BrokerNames): Promise<void> {
  await channel.assertExchange(names.exchange, 'topic', { durable: true });
  await channel.assertExchange(names.deadLetterExchange, 'topic', { durable: true });
}

export interface QueueLimits {
  /** Deliveries before a message is dead-lettered. */
  deliveryLimit: number;
  /** Ready messages the queue holds; beyond it the oldest go to the dead-letter queue. */
  maxLength: number;
  /** Ready messages the dead-letter queue holds; beyond it new dead letters are dropped. */
  deadLetterMaxLength: number;
}

/**
 * Declare quorum queue `queue` bound to `routingKey`, dead-lettering to `queue.dlq`. Dead letters are
 * re-keyed with the queue's own name so two queues consuming the same event keep separate DLQs.
 *
 * Both queues are bounded, so a stopped consumer cannot fill the broker's disk. Quorum queues only know
 * `drop-head` and `reject-publish` (`reject-publish-dlx` is silently taken as `drop-head`); `drop-head` with
 * the dead-letter exchange sends the overflow to the DLQ instead of refusing publishes, which would stall
 * every publisher's outbox on one slow consumer. The DLQ refuses (drops) beyond its own limit, keeping the
 * first dead letters of an incident. RabbitMQ refuses to re-declare an existing queue with other arguments
 * (PRECONDITION_FAILED): see docs/architecture.md for the migration of queues declared before these limits.
 */
export async function assertConsumerQueue(
  channel: Channel,
  names: BrokerNames,
  queue: string,
  routingKey: string,
  limits: QueueLimits,
): Promise<void> {
  await assertExchanges(channel, names);
  const dlq = deadLetterQueueOf(queue);
  await channel.assertQueue(dlq, {
    durable: true,
    arguments: { 'x-max-length': limits.deadLetterMaxLength, 'x-overflow': 'reject-publish' },
  });
  await channel.bindQueue(dlq, names.deadLetterExchange, queue);
  await channel.assertQueue(queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': limits.deliveryLimit,
      'x-dead-letter-exchange': names.deadLetterExchange,
      'x-dead-letter-routing-key': queue,
      'x-max-length': limits.maxLength,
      'x-overflow': 'drop-head',
    },
  });
  await channel.bindQueue(queue, names.exchange, routingKey);
}
