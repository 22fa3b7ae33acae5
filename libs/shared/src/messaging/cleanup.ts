import amqplib from 'amqplib';
import {
  brokerNames,
  deadLetterQueueOf,
  MAX_DELIVERY_QUEUES,
  QUEUES,
  shardQueueOf,
} from '../events/index.js';
import { shardExchangesOf } from './topology.js';

/**
 * Delete the exchanges and durable queues (with their dead-letter queues) declared under `namespace`. For
 * throwaway stacks — tests, benchmarks — whose queues would otherwise outlive them and collect events.
 */
export async function deleteBrokerNamespace(amqpUrl: string, namespace: string): Promise<void> {
  if (!namespace) throw new Error('refusing to delete the un-namespaced production names');
  const names = brokerNames(namespace);
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    const sharded = Array.from({ length: MAX_DELIVERY_QUEUES }, (_, i) =>
      shardQueueOf(QUEUES.realtimeMessageCreated, i),
    );
    for (const queue of [...Object.values(QUEUES), ...sharded].map((q) => names.queue(q))) {
      await channel.deleteQueue(queue);
      await channel.deleteQueue(deadLetterQueueOf(queue));
    }
    const { byBucket, unbucketed } = shardExchangesOf(names, 'message.created');
    await channel.deleteExchange(byBucket);
    await channel.deleteExchange(unbucketed);
    await channel.deleteExchange(names.exchange);
    await channel.deleteExchange(names.deadLetterExchange);
  } finally {
    await connection.close();
  }
}
