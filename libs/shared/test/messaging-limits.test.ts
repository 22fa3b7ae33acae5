import amqplib from 'amqplib';
import express from 'express';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { brokerNames, deadLetterQueueOf } from '../src/events/index.js';
import { createHttpMetrics } from '../src/http/index.js';
import { createBroker, deleteBrokerNamespace } from '../src/messaging/index.js';
import { fakeMessageCreatedEvent } from '../src/testing/events.js';
import { testEnv, uniqueName, waitFor } from '../src/testing/index.js';

const { amqpUrl } = testEnv();
const logger = pino({ level: 'silent' });

async function readyCount(queue: string): Promise<number> {
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    // A missing queue closes the channel with 404: the check rejects, the error event is expected.
    channel.on('error', () => undefined);
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close();
  }
}

async function scrape(handler: ReturnType<typeof createHttpMetrics>['handler']): Promise<string> {
  const app = express().get('/metrics', handler);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as { port: number };
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } finally {
    server.close();
  }
}

describe('bounded consumer queues', () => {
  test('overflow goes to the dead-letter queue, which is bounded too and whose depth is a metric', async () => {
    const namespace = uniqueName('test-limits');
    const broker = createBroker({ url: amqpUrl, logger, name: 'test-limits', namespace });
    const queue = brokerNames(namespace).queue('limits');
    const dlq = deadLetterQueueOf(queue);
    try {
      await broker.waitForConnect();
      const consumer = await broker.consume({
        queue: 'limits',
        routingKey: 'message.created',
        maxLength: 3,
        deadLetterMaxLength: 4,
        handler: async () => undefined,
      });
      await waitFor(async () => (await readyCount(queue)) === 0 && (await readyCount(dlq)) === 0);
      // Stopped, like a crashed consumer: everything published now waits in the queue.
      await consumer.cancel();
      const publisher = broker.publisher();
      for (let i = 0; i < 9; i += 1) await publisher.publish('message.created', fakeMessageCreatedEvent());
      await waitFor(async () => (await readyCount(dlq)) === 4, {
        message: 'the DLQ did not fill to its limit',
      });
      expect(await readyCount(queue)).toBe(3);
      // 9 published: 3 kept, 4 dead-lettered, 2 dropped by the full DLQ (reported by the gauge at its limit).
      const metrics = createHttpMetrics('test-limits');
      const text = await scrape(metrics.handler);
      expect(text).toContain(`amqp_dead_letter_queue_messages{queue="${dlq}",service="test-limits"} 4`);
      expect(text).toContain('http_request_duration_seconds');
    } finally {
      await broker.close();
      await deleteBrokerNamespace(amqpUrl, namespace);
    }
  });
});
