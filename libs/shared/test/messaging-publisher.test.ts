import type { Writable } from 'node:stream';
import { pino } from 'pino';
import { beforeAll, describe, expect, test } from 'vitest';
import { type MessageCreatedEvent, messageCreatedEvent } from '../src/events/index.js';
import { createBroker, InvalidEventError, PublishError, parseEvent } from '../src/messaging/index.js';
import { type EventCollector, fakeMessageCreatedEvent } from '../src/testing/events.js';
import { waitFor } from '../src/testing/index.js';
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

  test('an event is sent as given, not validated again: the schema check is the receiving side’s', async () => {
    const offSchema = { ...fakeMessageCreatedEvent(), extra: true } as MessageCreatedEvent;

    await tb.broker.publisher().publish('message.created', offSchema);

    await waitFor(() => collector.invalid.find((m) => m.properties.messageId === offSchema.eventId), {
      message: 'the off-schema event never arrived',
    });
    expect(() => parseEvent('message.created', offSchema)).toThrow(InvalidEventError);
    expect(collector.events.map((e) => e.eventId)).not.toContain(offSchema.eventId);
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

describe('the connection under the publisher', () => {
  test('a batch published at once leaves in a few socket writes, not one per message, and all arrive', async () => {
    const socket = (tb.broker.manager.connection as unknown as { connection: { stream: Writable } })
      .connection.stream;
    // Every system call the socket makes goes through _write (one chunk) or _writev (a corked run).
    let writes = 0;
    const { _write, _writev } = socket;
    socket._write = function (this: Writable, ...args: Parameters<Writable['_write']>) {
      writes++;
      return _write.apply(this, args);
    };
    if (_writev) {
      socket._writev = function (this: Writable, ...args: Parameters<NonNullable<Writable['_writev']>>) {
        writes++;
        return _writev.apply(this, args);
      };
    }
    try {
      const events = Array.from({ length: 100 }, () => fakeMessageCreatedEvent());
      await Promise.all(events.map((event) => tb.broker.publisher().publish('message.created', event)));
      await waitFor(() => events.every((e) => collector.events.some((c) => c.eventId === e.eventId)), {
        message: 'not every event of the batch arrived',
      });
      expect(writes).toBeLessThan(20);
    } finally {
      socket._write = _write;
      socket._writev = _writev;
    }
  });
});
