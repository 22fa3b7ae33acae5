import amqplib from 'amqplib';
import { brokerNames, deadLetterQueueOf, QUEUES } from '../events/index.js';

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
    for (const queue of Object.values(QUEUES).map((q) => names.queue(q))) {
      await channel.deleteQueue(queue);
      await channel.deleteQueue(deadLetterQueueOf(queue));
    }
    await channel.deleteExchange(names.exchange);
    await channel.deleteExchange(names.deadLetterExchange);
  } finally {
    await connection.close();
  }
}
