import amqplib from 'amqplib';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { brokerNames, deadLetterQueueOf, type RoutingKey } from '../src/events/index.js';
import { createBroker, deleteBrokerNamespace, type ManagedBroker } from '../src/messaging/index.js';
import { collectEvents, type EventCollector } from '../src/testing/events.js';
import { testEnv, uniqueName } from '../src/testing/index.js';

export interface TestBroker {
  /** The AMQP namespace of the file: nothing of it reaches the production exchange or queues. */
  readonly namespace: string;
  readonly broker: ManagedBroker;
  /** A fresh queue name for `consume()`, deleted with its dead-letter queue after the file. */
  uniqueQueue(): string;
  /** The full name on the broker of `queue` (as `consume()` declares it in the namespace). */
  queueName(queue: string): string;
  /** Collect the namespace's `routingKey` events from now on (closed after the file). */
  collect<K extends RoutingKey>(routingKey: K): Promise<EventCollector<K>>;
}

/**
 * A broker in an AMQP namespace of the calling test file: connected before the file's tests; closed after
 * them, with every queue and exchange of the namespace deleted.
 */
export function useTestBroker(name: string): TestBroker {
  const { amqpUrl } = testEnv();
  const namespace = uniqueName(name);
  const names = brokerNames(namespace);
  const queues: string[] = [];
  const collectors: Array<{ close(): Promise<void> }> = [];
  let broker: ManagedBroker | undefined;

  beforeAll(async () => {
    broker = createBroker({ url: amqpUrl, logger: pino({ level: 'silent' }), name, namespace });
    await broker.waitForConnect();
  });

  afterAll(async () => {
    await Promise.all(collectors.map((collector) => collector.close()));
    await broker?.close();
    const connection = await amqplib.connect(amqpUrl);
    try {
      const channel = await connection.createChannel();
      for (const queue of queues.map((q) => names.queue(q))) {
        await channel.deleteQueue(queue);
        await channel.deleteQueue(deadLetterQueueOf(queue));
      }
    } finally {
      await connection.close();
    }
    await deleteBrokerNamespace(amqpUrl, namespace);
  });

  return {
    namespace,
    get broker() {
      if (!broker) throw new Error('the broker is used before it connected');
      return broker;
    },
    uniqueQueue() {
      const queue = uniqueName(name);
      queues.push(queue);
      return queue;
    },
    queueName: (queue) => names.queue(queue),
    async collect(routingKey) {
      const collector = await collectEvents(amqpUrl, routingKey, { namespace });
      collectors.push(collector);
      return collector;
    },
  };
}
