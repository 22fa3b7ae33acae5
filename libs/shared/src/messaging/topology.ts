import type { Channel } from 'amqp-connection-manager';
import { type BrokerNames, deadLetterQueueOf } from '../events/index.js';

/** Declare the events exchange and the dead-letter exchange (idempotent). */
export async function assertExchanges(channel: Channel, names: BrokerNames): Promise<void> {
  await channel.assertExchange(names.exchange, 'topic', { durable: true });
  await channel.assertExchange(names.deadLetterExchange, 'topic', { durable: true });
}

/**
 * Declare quorum queue `queue` bound to `routingKey`, dead-lettering to `queue.dlq`. Dead letters are
 * re-keyed with the queue's own name so two queues consuming the same event keep separate DLQs.
 */
export async function assertConsumerQueue(
  channel: Channel,
  names: BrokerNames,
  queue: string,
  routingKey: string,
  deliveryLimit: number,
): Promise<void> {
  await assertExchanges(channel, names);
  const dlq = deadLetterQueueOf(queue);
  await channel.assertQueue(dlq, { durable: true });
  await channel.bindQueue(dlq, names.deadLetterExchange, queue);
  await channel.assertQueue(queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': deliveryLimit,
      'x-dead-letter-exchange': names.deadLetterExchange,
      'x-dead-letter-routing-key': queue,
    },
  });
  await channel.bindQueue(queue, names.exchange, routingKey);
}
