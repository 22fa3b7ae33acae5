import { brokerNames, deadLetterQueueOf, QUEUES } from '@chat/shared/events';
import amqplib from 'amqplib';

/**
 * Deletes the exchanges and the durable queues a stack declared under its AMQP namespace, so test runs do
 * not leave queues collecting events on the shared broker.
 */
export async function deleteBrokerNamespace(amqpUrl: string, namespace: string): Promise<void> {
  const names = brokerNames(namespace);
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const queue of Object.values(QUEUES)) {
      await channel.deleteQueue(names.queue(queue));
      await channel.deleteQueue(deadLetterQueueOf(names.queue(queue)));
    }
    await channel.deleteExchange(names.exchange);
    await channel.deleteExchange(names.deadLetterExchange);
  } finally {
    await connection.close();
  }
}
