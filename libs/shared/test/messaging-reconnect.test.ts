import { describe, expect, test } from 'vitest';
import { PublishError } from '../src/messaging/index.js';
import { fakeMessageCreatedEvent } from '../src/testing/events.js';
import { waitFor } from '../src/testing/index.js';
import { useTestBroker } from './messaging-helpers.js';

const tb = useTestBroker('test-reconnect');
const queue = tb.uniqueQueue();
const declaredDuringOutage = tb.uniqueQueue();

describe('after the connection drops', () => {
  test('the consumer keeps receiving, buffered publishes go out, and timed-out ones are never sent', async () => {
    const handled: string[] = [];
    await tb.broker.consume({
      queue,
      routingKey: 'message.created',
      handler: async (event) => {
        handled.push(event.eventId);
      },
    });
    const before = fakeMessageCreatedEvent();
    await tb.broker.publisher().publish('message.created', before);
    await waitFor(() => handled.includes(before.eventId), {
      timeoutMs: 10_000,
      message: 'waiting for the first event',
    });

    await tb.broker.manager.connection?.close();
    await waitFor(() => !tb.broker.isConnected(), {
      timeoutMs: 10_000,
      message: 'waiting for the disconnection',
    });
    expect(tb.broker.isConnected()).toBe(false);
    const abandoned = fakeMessageCreatedEvent();
    const buffered = fakeMessageCreatedEvent();
    const abandonedPublish = tb.broker.publisher().publish('message.created', abandoned, { timeoutMs: 1 });
    const bufferedPublish = tb.broker.publisher().publish('message.created', buffered, { timeoutMs: 10_000 });

    await expect(abandonedPublish).rejects.toBeInstanceOf(PublishError);
    await bufferedPublish;
    expect(tb.broker.isConnected()).toBe(true);
    const after = fakeMessageCreatedEvent();
    await tb.broker.publisher().publish('message.created', after);
    await waitFor(() => handled.includes(buffered.eventId) && handled.includes(after.eventId), {
      message: 'waiting for the later events',
    });
    expect(handled).not.toContain(abandoned.eventId);
  });
});

describe('when the connection drops while a consumer is being set up', () => {
  test('consume() does not fail: it resolves once the queue is declared again on the new connection', async () => {
    const handled: string[] = [];
    const consuming = tb.broker.consume({
      queue: declaredDuringOutage,
      routingKey: 'message.created',
      handler: async (event) => {
        handled.push(event.eventId);
      },
    });
    // The channel and its declarations are in flight: closing now ends them with no reply.
    await tb.broker.manager.connection?.close();

    await consuming;
    expect(tb.broker.isConnected()).toBe(true);
    const event = fakeMessageCreatedEvent();
    await tb.broker.publisher().publish('message.created', event);
    await waitFor(() => handled.includes(event.eventId), {
      timeoutMs: 10_000,
      message: 'waiting for the event on the queue declared after the reconnection',
    });
    expect(handled).toEqual([event.eventId]);
  });
});
