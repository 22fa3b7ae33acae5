import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QUEUES, recipientBucketOf, shardQueueOf } from '../src/events/index.js';
import {
  type Consumer,
  createBroker,
  deleteBrokerNamespace,
  type ManagedBroker,
} from '../src/messaging/index.js';
import { fakeMessageCreatedEvent, publishRaw } from '../src/testing/events.js';
import { newObjectId, testEnv, uniqueName, waitFor } from '../src/testing/index.js';

// message.created split over several queues by recipient: each queue holds the buckets b ≡ index (mod count).
const { amqpUrl } = testEnv();
const namespace = uniqueName('test-shards');
const count = 4;
let broker: ManagedBroker;
const consumers: Consumer[] = [];
const seen: Array<{ shard: number; eventId: string; receiverId: string; text: string }> = [];

beforeAll(async () => {
  broker = createBroker({ url: amqpUrl, logger: pino({ level: 'silent' }), name: 'test-shards', namespace });
  await broker.waitForConnect();
  for (let index = 0; index < count; index++) {
    consumers.push(
      await broker.consume({
        queue: shardQueueOf(QUEUES.realtimeMessageCreated, index),
        routingKey: 'message.created',
        // One at a time per queue, so the order the queue holds is the order handled.
        prefetch: 1,
        shard: { index, count },
        handler: async (event) => {
          const { receiverId, message } = event.message;
          seen.push({ shard: index, eventId: event.eventId, receiverId, text: message });
        },
      }),
    );
  }
});

afterAll(async () => {
  await broker?.close();
  await deleteBrokerNamespace(amqpUrl, namespace);
});

/** Recipients, `perShard` of them in each shard's buckets. */
function recipientsCoveringEveryShard(perShard: number): string[] {
  const byShard = Array.from({ length: count }, () => [] as string[]);
  while (byShard.some((ids) => ids.length < perShard)) {
    const id = newObjectId();
    const ids = byShard[recipientBucketOf(id) % count];
    if (ids && ids.length < perShard) ids.push(id);
  }
  return byShard.flat();
}

describe('message.created over several queues', () => {
  test('every event reaches exactly one queue, one recipient always the same one, in the order published', async () => {
    const recipients = recipientsCoveringEveryShard(3);
    const published: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (const receiverId of recipients) {
        const event = fakeMessageCreatedEvent({ message: { receiverId, message: `m${round}` } });
        await broker.publisher().publish('message.created', event);
        published.push(event.eventId);
      }
    }

    await waitFor(() => seen.length >= published.length, {
      message: `${seen.length} of ${published.length}`,
    });

    const ids = seen.map((s) => s.eventId);
    expect(ids.sort()).toEqual([...published].sort());
    for (const receiverId of recipients) {
      const own = seen.filter((s) => s.receiverId === receiverId);
      expect(new Set(own.map((s) => s.shard)).size, receiverId).toBe(1);
      expect(own[0]?.shard, receiverId).toBe(recipientBucketOf(receiverId) % count);
      expect(
        own.map((s) => s.text),
        receiverId,
      ).toEqual(['m0', 'm1', 'm2', 'm3']);
    }
    expect(new Set(seen.map((s) => s.shard))).toEqual(new Set([0, 1, 2, 3]));
  });

  test('an event without a recipient bucket (published before buckets existed) is not lost: shard 0 has it', async () => {
    const event = fakeMessageCreatedEvent();
    await publishRaw(amqpUrl, 'message.created', event, { namespace });

    const got = await waitFor(() => seen.find((s) => s.eventId === event.eventId), {
      message: 'the unbucketed event never arrived',
    });
    expect(got?.shard).toBe(0);
    expect(seen.filter((s) => s.eventId === event.eventId)).toHaveLength(1);
  });
});
