import type { Channel } from 'amqp-connection-manager';
import { DEAD_LETTER_EXCHANGE, deadLetterQueueOf, EXCHANGE } from '../events/index.js';

/** Declare the events exchange and the dead-letter exchange (idempotent). */
export async function assertExchanges(channel: Channel): Promise<void> {
  await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'topic', { durable: true });
}

/**
 * Declare quorum queue `queue` bound to `routingKey`, dead-lettering to `queue.dlq`. Dead letters are
 * re-keyed with the queue's own name so two queues consuming the same event keep separate DLQs.
 */
export async function assertConsumerQueue(
  channel: Channel,
  queue: string,
  routingKey: string,
  deliveryLimit: number,
): Promise<void> {
  await assertExchanges(channel);
  const dlq = deadLetterQueueOf(queue);
  await channel.assertQueue(dlq, { durable: true });
  await channel.bindQueue(dlq, DEAD_LETTER_EXCHANGE, queue);
  await channel.assertQueue(queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': deliveryLimit,
      'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
      'x-dead-letter-routing-key': queue,
    },
  });
  await channel.bindQueue(queue, EXCHANGE, routingKey);
}
