import amqplib from 'amqplib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deadLetterQueueOf } from '../src/events/index.js';
import { createBroker, type ManagedBroker, PublishError } from '../src/messaging/index.js';
import { fakeMessageCreatedEvent } from '../src/testing/events.js';
import { testEnv, uniqueName, waitFor } from '../src/testing/index.js';

const { amqpUrl } = testEnv();
const logger = pino({ level: 'silent' });
let broker: ManagedBroker;
const queue = uniqueName('test-reconnect');
const declaredDuringOutage = uniqueName('test-reconnect-setup');

beforeAll(async () => {
  broker = createBroker({ url: amqpUrl, logger, name: 'test-reconnect' });
  await broker.waitForConnect();
});

afterAll(async () => {
  await broker?.close();
  const connection = await amqplib.connect(amqpUrl);
  const channel = await connection.createChannel();
  for (const name of [queue, declaredDuringOutage]) {
    await channel.deleteQueue(name);
    await channel.deleteQueue(deadLetterQueueOf(name));
  }
  await connection.close();
});

describe('after the connection drops', () => {
  test('the consumer keeps receiving, buffered publishes go out, and timed-out ones are never sent', async () => {
    const handled: string[] = [];
    await broker.consume({
      queue,
      routingKey: 'message.created',
      handler: async (event) => {
        handled.push(event.eventId);
      },
    });
    const before = fakeMessageCreatedEvent();
    await broker.publisher().publish('message.created', before);
    await waitFor(() => handled.includes(before.eventId), {
      timeoutMs: 10_000,
      message: 'waiting for the first event',
    });

    await broker.manager.connection?.close();
    await waitFor(() => !broker.isConnected(), {
      timeoutMs: 10_000,
      message: 'waiting for the disconnection',
    });
    expect(broker.isConnected()).toBe(false);
    const abandoned = fakeMessageCreatedEvent();
    const buffered = fakeMessageCreatedEvent();
    const abandonedPublish = broker.publisher().publish('message.created', abandoned, { timeoutMs: 1 });
    const bufferedPublish = broker.publisher().publish('message.created', buffered, { timeoutMs: 10_000 });

    await expect(abandonedPublish).rejects.toBeInstanceOf(PublishError);
    await bufferedPublish;
    expect(broker.isConnected()).toBe(true);
    const after = fakeMessageCreatedEvent();
    await broker.publisher().publish('message.created', after);
    await waitFor(() => handled.includes(buffered.eventId) && handled.includes(after.eventId), {
      message: 'waiting for the later events',
    });
    expect(handled).not.toContain(abandoned.eventId);
  });
});

describe('when the connection drops while a consumer is being set up', () => {
  test('consume() does not fail: it resolves once the queue is declared again on the new connection', async () => {
    const handled: string[] = [];
    const consuming = broker.consume({
      queue: declaredDuringOutage,
      routingKey: 'message.created',
      handler: async (event) => {
        handled.push(event.eventId);
      },
    });
    // The channel and its declarations are in flight: closing now ends them with no reply.
    await broker.manager.connection?.close();

    await consuming;
    expect(broker.isConnected()).toBe(true);
    const event = fakeMessageCreatedEvent();
    await broker.publisher().publish('message.created', event);
    await waitFor(() => handled.includes(event.eventId), {
      timeoutMs: 10_000,
      message: 'waiting for the event on the queue declared after the reconnection',
    });
    expect(handled).toEqual([event.eventId]);
  });
});
