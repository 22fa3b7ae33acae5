import { pino } from 'pino';
import { beforeAll, describe, expect, test } from 'vitest';
import { type MessageCreatedEvent, messageCreatedEvent } from '../src/events/index.js';
import { createBroker, InvalidEventError, PublishError } from '../src/messaging/index.js';
import { type EventCollector, fakeMessageCreatedEvent } from '../src/testing/events.js';
import { useTestBroker } from './messaging-helpers.js';

const logger = pino({ level: 'silent' });
const tb = useTestBroker('test-publisher');
let collector: EventCollector<'message.created'>;

beforeAll(async () => {
  collector = await tb.collect('message.created');
});

describe('Publisher.publish', () => {
  test('a confirmed event reaches a bound queue as persistent JSON whose messageId is the eventId', async () => {
    const event = fakeMessageCreatedEvent();

    await tb.broker
      .publisher()
      .publish('message.created', event, { headers: { 'x-correlation-id': 'corr-1' } });

    const received = await collector.waitForEvent((e) => e.eventId === event.eventId);
    expect(messageCreatedEvent.parse(received)).toEqual(event);
    const message = collector.messages.find((m) => m.event.eventId === event.eventId);
    expect(message?.properties).toMatchObject({
      messageId: event.eventId,
      deliveryMode: 2,
      contentType: 'application/json',
      type: 'message.created',
      headers: { 'x-correlation-id': 'corr-1' },
    });
  });

  test('an invalid event is refused before anything is sent', async () => {
    const invalid = { ...fakeMessageCreatedEvent(), extra: true } as MessageCreatedEvent;
    const next = fakeMessageCreatedEvent();

    await expect(tb.broker.publisher().publish('message.created', invalid)).rejects.toBeInstanceOf(
      InvalidEventError,
    );
    await tb.broker.publisher().publish('message.created', next);

    // Same channel, so the refused event would have arrived before `next`.
    await collector.waitForEvent((e) => e.eventId === next.eventId);
    const ids = [
      ...collector.messages.map((m) => m.properties),
      ...collector.invalid.map((m) => m.properties),
    ];
    expect(ids.map((p) => p.messageId)).not.toContain(invalid.eventId);
  });

  test('while the broker is unreachable, publish rejects within its timeout', async () => {
    const down = createBroker({
      url: 'amqp://127.0.0.1:1',
      logger,
      name: 'test-down',
      namespace: tb.namespace,
    });
    try {
      const started = Date.now();
      await expect(
        down.publisher().publish('message.created', fakeMessageCreatedEvent(), { timeoutMs: 300 }),
      ).rejects.toBeInstanceOf(PublishError);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(down.isConnected()).toBe(false);
      await expect(down.waitForConnect(200)).rejects.toThrow(/not reachable/);
    } finally {
      await down.close();
    }
  });
});
