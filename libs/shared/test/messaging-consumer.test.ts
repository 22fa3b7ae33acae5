import { randomUUID } from 'node:crypto';
import amqplib, { type ChannelModel } from 'amqplib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deadLetterQueueOf, type MessageCreatedEvent } from '../src/events/index.js';
import { createBroker, type DeliveryMeta } from '../src/messaging/index.js';
import { fakeMessageCreatedEvent, publishRaw } from '../src/testing/events.js';
import { startTcpProxy, testEnv, waitFor } from '../src/testing/index.js';
import { useTestBroker } from './messaging-helpers.js';

const { amqpUrl } = testEnv();
const tb = useTestBroker('test-consumer');
let admin: ChannelModel;

const uniqueQueue = () => tb.uniqueQueue();

/** A chunk holding an AMQP `basic.qos` method frame (frame type 1; class 60, method 10 after the header). */
function isBasicQos(chunk: Buffer): boolean {
  for (let at = chunk.indexOf(BASIC_QOS); at >= 0; at = chunk.indexOf(BASIC_QOS, at + 1)) {
    if (at >= 7 && chunk[at - 7] === 1) return true;
  }
  return false;
}
const BASIC_QOS = Buffer.from([0, 60, 0, 10]);

/** Ready (not unacked) messages in `queue` (a name as given to consume()), read and removed without acks. */
async function drain(queue: string): Promise<amqplib.GetMessage[]> {
  const channel = await admin.createChannel();
  const messages: amqplib.GetMessage[] = [];
  const name = tb.queueName(queue);
  for (
    let msg = await channel.get(name, { noAck: true });
    msg;
    msg = await channel.get(name, { noAck: true })
  ) {
    messages.push(msg);
  }
  await channel.close();
  return messages;
}

async function readyCount(queue: string): Promise<number> {
  const channel = await admin.createChannel();
  const { messageCount } = await channel.checkQueue(tb.queueName(queue));
  await channel.close();
  return messageCount;
}

beforeAll(async () => {
  admin = await amqplib.connect(amqpUrl);
});

afterAll(async () => {
  await admin?.close();
});

describe('Broker.consume', () => {
  test('a handled event is acked: nothing of it is left in the queue once the consumer stops', async () => {
    const queue = uniqueQueue();
    const seen: Array<{ event: MessageCreatedEvent; meta: DeliveryMeta }> = [];
    const consumer = await tb.broker.consume({
      queue,
      routingKey: 'message.created',
      handler: async (event, meta) => {
        seen.push({ event, meta });
      },
    });
    const event = fakeMessageCreatedEvent();

    await tb.broker
      .publisher()
      .publish('message.created', event, { headers: { 'x-correlation-id': 'c-42' } });

    const handled = await waitFor(() => seen.find((s) => s.event.eventId === event.eventId), {
      message: 'waiting for the event',
    });
    expect(handled?.event).toEqual(event);
    expect(handled?.meta).toMatchObject({
      redelivered: false,
      deliveryCount: 1,
      headers: { 'x-correlation-id': 'c-42' },
    });
    await consumer.cancel();
    // An unacked message would be back in the ready list after the cancel.
    const left = await drain(queue);
    expect(left.map((m) => m.properties.messageId)).not.toContain(event.eventId);
  });

  test('an event whose handler always fails is retried with backoff, dead-lettered after the delivery limit, and the next one is handled', async () => {
    const queue = uniqueQueue();
    const poison = fakeMessageCreatedEvent();
    const good = fakeMessageCreatedEvent();
    const attempts: number[] = [];
    const attemptTimes: number[] = [];
    const handled: string[] = [];
    await tb.broker.consume({
      queue,
      routingKey: 'message.created',
      deliveryLimit: 2,
      retryDelayMs: 50,
      handler: async (event, meta) => {
        if (event.eventId === poison.eventId) {
          attempts.push(meta.deliveryCount);
          attemptTimes.push(Date.now());
          throw new Error('always fails');
        }
        handled.push(event.eventId);
      },
    });

    await tb.broker.publisher().publish('message.created', poison);

    const dead = await waitFor(async () => (await drain(deadLetterQueueOf(queue)))[0], {
      message: 'waiting for the dead letter',
    });
    expect(dead?.properties.messageId).toBe(poison.eventId);
    expect(JSON.parse(String(dead?.content))).toEqual(poison);
    expect(attempts).toEqual([1, 2, 3]);
    // Requeues back off: 50 ms, then 100 ms.
    const [first = 0, second = 0, third = 0] = attemptTimes;
    expect(second - first).toBeGreaterThanOrEqual(45);
    expect(third - second).toBeGreaterThanOrEqual(95);
    await tb.broker.publisher().publish('message.created', good);
    await waitFor(() => handled.includes(good.eventId), {
      timeoutMs: 10_000,
      message: 'waiting for the good event',
    });
  });

  test.each([
    ['invalid JSON', Buffer.from('{"eventId": oops')],
    ['an event failing the schema', { ...fakeMessageCreatedEvent(), extra: 'field' }],
  ])('%s goes straight to the dead-letter queue without reaching the handler', async (_name, body) => {
    const queue = uniqueQueue();
    let calls = 0;
    await tb.broker.consume({
      queue,
      routingKey: 'message.created',
      handler: async () => {
        calls += 1;
      },
    });
    const messageId = randomUUID();

    await publishRaw(amqpUrl, 'message.created', body, {
      messageId,
      toQueue: tb.queueName(queue),
      namespace: tb.namespace,
    });

    const dead = await waitFor(async () => (await drain(deadLetterQueueOf(queue)))[0], {
      message: 'waiting for the dead letter',
    });
    expect(dead?.properties.messageId).toBe(messageId);
    expect(dead?.properties.headers?.['x-delivery-count']).toBeUndefined();
    expect(calls).toBe(0);
  });

  test('no more handlers run at once than the prefetch allows', async () => {
    const queue = uniqueQueue();
    const events = Array.from({ length: 6 }, () => fakeMessageCreatedEvent());
    const ours = new Set(events.map((e) => e.eventId));
    let active = 0;
    let maxActive = 0;
    const handled: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await tb.broker.consume({
      queue,
      routingKey: 'message.created',
      prefetch: 2,
      handler: async (event) => {
        if (!ours.has(event.eventId)) return;
        active += 1;
        maxActive = Math.max(maxActive, active);
        await gate;
        active -= 1;
        handled.push(event.eventId);
      },
    });

    for (const event of events) await tb.broker.publisher().publish('message.created', event);

    // Two held by the blocked consumer, the other four still waiting in the queue.
    await waitFor(async () => active === 2 && (await readyCount(queue)) >= 4, {
      message: 'waiting for two in flight, four ready',
    });
    expect(maxActive).toBe(2);
    release();
    await waitFor(() => handled.length === 6, { timeoutMs: 10_000, message: 'waiting for all six handled' });
    expect(maxActive).toBe(2);
  });

  test('a connection lost while a consumer sets its prefetch is reconnected, and nothing is left unhandled', async () => {
    const { hostname, port } = new URL(amqpUrl);
    const proxy = await startTcpProxy(hostname, Number(port || 5672));
    const broker = createBroker({
      url: proxy.urlFor(amqpUrl),
      logger: pino({ level: 'silent' }),
      name: 'test-consumer-qos',
      namespace: tb.namespace,
    });
    try {
      await broker.waitForConnect();
      proxy.cutAfter(isBasicQos);
      const queue = uniqueQueue();
      const seen: string[] = [];
      const consuming = broker.consume({
        queue,
        routingKey: 'message.created',
        prefetch: 3,
        handler: async (event) => void seen.push(event.eventId),
      });
      await waitFor(() => proxy.isCut || undefined, { message: 'waiting for the cut after basic.qos' });
      proxy.restore();
      const consumer = await consuming;
      const event = fakeMessageCreatedEvent();
      await tb.broker.publisher().publish('message.created', event);
      await waitFor(() => seen.includes(event.eventId) || undefined, {
        timeoutMs: 10_000,
        message: 'waiting for the reconnected consumer',
      });
      expect(proxy.accepted).toBeGreaterThanOrEqual(2);
      await consumer.cancel();
    } finally {
      await broker.close();
      await proxy.close();
    }
  });

  test('cancel() waits for the handler in flight and acks its message', async () => {
    const queue = uniqueQueue();
    const event = fakeMessageCreatedEvent();
    let started = false;
    let finished = false;
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const consumer = await tb.broker.consume({
      queue,
      routingKey: 'message.created',
      handler: async (e) => {
        if (e.eventId !== event.eventId) return;
        started = true;
        await gate;
        finished = true;
      },
    });
    await tb.broker.publisher().publish('message.created', event);
    await waitFor(() => started, { timeoutMs: 10_000, message: 'waiting for the handler to start' });

    let cancelled = false;
    const cancelling = consumer.cancel().then(() => {
      cancelled = true;
    });
    await readyCount(queue); // a broker round trip for the cancel to progress
    expect(cancelled).toBe(false);
    release();
    await cancelling;

    expect(finished).toBe(true);
    expect((await drain(queue)).map((m) => m.properties.messageId)).not.toContain(event.eventId);
  });

  test('consume() rejects when the queue already exists with another delivery limit', async () => {
    const queue = uniqueQueue();
    const handler = async () => {};
    const first = await tb.broker.consume({
      queue,
      routingKey: 'message.created',
      deliveryLimit: 5,
      handler,
    });
    await first.cancel();

    await expect(
      tb.broker.consume({ queue, routingKey: 'message.created', deliveryLimit: 3, handler }),
    ).rejects.toThrow(/PRECONDITION_FAILED/);
    // The broker itself is unaffected.
    const event = fakeMessageCreatedEvent();
    await tb.broker.publisher().publish('message.created', event);
  });
});
