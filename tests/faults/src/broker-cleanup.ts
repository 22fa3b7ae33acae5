import { brokerNames, deadLetterQueueOf, QUEUES } from '@chat/shared/events';
import amqplib from 'amqplib';

/** Delete the durable queues and exchanges a stack created under `namespace` (they outlive the processes). */
export async function deleteNamespace(amqpUrl: string, namespace: string): Promise<void> {
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
