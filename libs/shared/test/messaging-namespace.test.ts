import amqplib from 'amqplib';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { brokerNames, QUEUES } from '../src/events/index.js';
import { createBroker, deleteBrokerNamespace } from '../src/messaging/index.js';
import { collectEvents, fakeUserRegisteredEvent } from '../src/testing/events.js';
import { testEnv, uniqueName } from '../src/testing/index.js';

const { amqpUrl } = testEnv();
const logger = pino({ level: 'silent' });

async function queueExists(queue: string): Promise<boolean> {
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    await channel.checkQueue(queue);
    return true;
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => {});
  }
}

describe('broker namespaces', () => {
  test('a namespaced broker publishes and consumes only on its own exchange and queues', async () => {
    const namespace = uniqueName('test-ns');
    const broker = createBroker({ url: amqpUrl, logger, name: 'test-ns', namespace });
    const outsider = await collectEvents(amqpUrl, 'user.registered');
    const insider = await collectEvents(amqpUrl, 'user.registered', { namespace });
    try {
      const handled: string[] = [];
      await broker.consume({
        queue: QUEUES.usersUserRegistered,
        routingKey: 'user.registered',
        handler: async (event) => {
          handled.push(event.eventId);
        },
      });
      const event = fakeUserRegisteredEvent();
      await broker.publisher().publish('user.registered', event);

      await insider.waitForEvent((e) => e.eventId === event.eventId);
      await expect.poll(() => handled).toEqual([event.eventId]);
      expect(outsider.events.some((e) => e.eventId === event.eventId)).toBe(false);
      expect(await queueExists(brokerNames(namespace).queue(QUEUES.usersUserRegistered))).toBe(true);
    } finally {
      await Promise.all([outsider.close(), insider.close(), broker.close()]);
    }

    await deleteBrokerNamespace(amqpUrl, namespace);
    expect(await queueExists(brokerNames(namespace).queue(QUEUES.usersUserRegistered))).toBe(false);
  });

  test('deleting refuses the un-namespaced production names', async () => {
    await expect(deleteBrokerNamespace(amqpUrl, '')).rejects.toThrow(/refusing/);
  });
});
