import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MessageCreatedEvent } from '../src/events/index.js';
import {
  CORRELATION_HEADER,
  type OutboxEntry,
  type OutboxRelay,
  type OutboxStore,
  type Publisher,
  startOutboxRelay,
} from '../src/messaging/index.js';
import { type EventCollector, fakeMessageCreatedEvent } from '../src/testing/events.js';
import { waitFor } from '../src/testing/index.js';
import { useTestBroker } from './messaging-helpers.js';

const logger = pino({ level: 'silent' });
const tb = useTestBroker('test-outbox');
let collector: EventCollector<'message.created'>;
const relays: OutboxRelay[] = [];

/** An in-memory outbox that records what was marked and checks that drains never overlap. */
class MemoryOutbox implements OutboxStore {
  readonly entries: Array<OutboxEntry & { published: boolean }> = [];
  readonly marked: string[] = [];
  markCalls = 0;
  reads = 0;
  concurrentReads = 0;
  maxConcurrentReads = 0;
  private nextId = 0;

  add(payload: unknown, correlationId?: string): OutboxEntry {
    const entry = {
      id: String(++this.nextId),
      routingKey: 'message.created' as const,
      payload,
      published: false,
      ...(correlationId === undefined ? {} : { correlationId }),
    };
    this.entries.push(entry);
    return entry;
  }

  async pending(limit: number): Promise<OutboxEntry[]> {
    this.reads += 1;
    this.concurrentReads += 1;
    this.maxConcurrentReads = Math.max(this.maxConcurrentReads, this.concurrentReads);
    await Promise.resolve();
    this.concurrentReads -= 1;
    return this.entries.filter((e) => !e.published).slice(0, limit);
  }

  async markPublished(ids: string[]): Promise<void> {
    for (const id of ids) {
      const entry = this.entries.find((e) => e.id === id);
      if (entry) entry.published = true;
      this.marked.push(id);
    }
    this.markCalls += 1;
  }
}

const start = (
  store: OutboxStore,
  publisher: Publisher,
  opts: { intervalMs?: number; batchSize?: number } = {},
) => {
  const relay = startOutboxRelay({ store, publisher, logger, retryBaseMs: 10, maxBackoffMs: 50, ...opts });
  relays.push(relay);
  return relay;
};

const eventIdsOf = (store: MemoryOutbox) =>
  store.entries.map((e) => (e.payload as MessageCreatedEvent).eventId);

beforeAll(async () => {
  collector = await tb.collect('message.created');
});

afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
});

describe('startOutboxRelay', () => {
  test('publishes pending entries in order, across batches, and marks each one once', async () => {
    const store = new MemoryOutbox();
    for (let i = 0; i < 7; i++) store.add(fakeMessageCreatedEvent());
    const ids = eventIdsOf(store);

    start(store, tb.broker.publisher(), { batchSize: 3 });

    await waitFor(() => store.marked.length === 7, { message: 'all entries marked' });
    await collector.waitForEvent((e) => e.eventId === ids[6]);
    const received = collector.events.map((e) => e.eventId).filter((id) => ids.includes(id));
    expect(received).toEqual(ids);
    expect(store.marked).toEqual(store.entries.map((e) => e.id));
    // One write per batch (3 + 3 + 1), not one per entry.
    expect(store.markCalls).toBe(3);
  });

  test('an entry’s correlationId goes out as the x-request-id header; an entry without one carries none', async () => {
    const store = new MemoryOutbox();
    const traced = fakeMessageCreatedEvent();
    const untraced = fakeMessageCreatedEvent();
    store.add(traced, 'req-outbox-1');
    store.add(untraced);

    start(store, tb.broker.publisher());

    await collector.waitForEvent((e) => e.eventId === untraced.eventId);
    const headersOf = (eventId: string) =>
      collector.messages.find((m) => m.event.eventId === eventId)?.properties.headers ?? {};
    expect(headersOf(traced.eventId)[CORRELATION_HEADER]).toBe('req-outbox-1');
    expect(CORRELATION_HEADER).toBe('x-request-id');
    expect(headersOf(untraced.eventId)).not.toHaveProperty(CORRELATION_HEADER);
  });

  test('a failure in the middle of a batch marks only the confirmed prefix; everything after it goes out again', async () => {
    const store = new MemoryOutbox();
    for (let i = 0; i < 4; i++) store.add(fakeMessageCreatedEvent());
    const ids = eventIdsOf(store);
    let calls = 0;
    const flaky: Publisher = {
      publish: (routingKey, event, opts) => {
        calls += 1;
        // The third publish of the first batch is not confirmed; every later attempt is.
        if (calls === 3) return Promise.reject(new Error('broker unavailable'));
        return tb.broker.publisher().publish(routingKey, event, opts);
      },
    };

    start(store, flaky, { intervalMs: 60_000 });

    await waitFor(() => store.marked.length === 4, { message: 'all entries marked' });
    expect(store.marked).toEqual(store.entries.map((e) => e.id));
    // Entries 1-2 went out once; 3 failed; 4 was confirmed but after the gap, so it goes out again.
    expect(calls).toBe(6);
    await collector.waitForEvent(
      (e) => e.eventId === ids[3] && collector.events.filter((x) => x.eventId === ids[3]).length === 2,
    );
    const received = collector.events.map((e) => e.eventId).filter((id) => ids.includes(id));
    expect(received).toEqual([ids[0], ids[1], ids[3], ids[2], ids[3]]);
    // Consumers dedupe by eventId: the first occurrences are exactly the entries, none lost.
    expect(new Set(received)).toEqual(new Set(ids));
  });

  test('wake() drains at once instead of waiting for the interval, never running two drains together', async () => {
    const store = new MemoryOutbox();
    const relay = start(store, tb.broker.publisher(), { intervalMs: 60_000 });
    await waitFor(() => store.maxConcurrentReads === 1, { message: 'the first (empty) drain' });

    const entries = Array.from({ length: 5 }, () => store.add(fakeMessageCreatedEvent()));
    for (let i = 0; i < 10; i++) relay.wake();

    await waitFor(() => store.marked.length === 5, { message: 'the woken drain' });
    expect(store.marked).toEqual(entries.map((e) => e.id));
    expect(store.maxConcurrentReads).toBe(1);
  });

  test('stop() waits for the drain in progress and nothing runs afterwards', async () => {
    const store = new MemoryOutbox();
    store.add(fakeMessageCreatedEvent());
    store.add(fakeMessageCreatedEvent());
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let publishing = false;
    const slow: Publisher = {
      publish: async (routingKey, event, opts) => {
        publishing = true;
        await gate;
        await tb.broker.publisher().publish(routingKey, event, opts);
      },
    };
    const relay = start(store, slow, { intervalMs: 10 });
    await waitFor(() => publishing, { message: 'the first publish' });

    let stopped = false;
    const stopping = relay.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;

    // The batch in flight completes; after stop() nothing new is read or published.
    expect(store.marked).toEqual(['1', '2']);
    const readsAtStop = store.reads;
    store.add(fakeMessageCreatedEvent());
    relay.wake();
    expect(store.reads).toBe(readsAtStop);
  });

  test('an entry the broker never confirms blocks the relay, retried, and nothing after it overtakes it', async () => {
    const store = new MemoryOutbox();
    const stuck = store.add(fakeMessageCreatedEvent());
    store.add(fakeMessageCreatedEvent());
    const refusing: Publisher = {
      publish: (routingKey, event, opts) =>
        event.eventId === (stuck.payload as MessageCreatedEvent).eventId
          ? Promise.reject(new Error('not confirmed'))
          : tb.broker.publisher().publish(routingKey, event, opts),
    };

    start(store, refusing);

    await waitFor(() => store.reads >= 3, { message: 'the relay retries the batch' });
    expect(store.marked).toEqual([]);
    expect(store.entries.map((e) => e.published)).toEqual([false, false]);
  });
});
