import { connectMongo } from '@chat/shared/mongo';
import {
  collectEvents,
  type EventCollector,
  fakeMessageCreatedEvent,
  newObjectId,
  publishRaw,
  testEnv,
  waitFor,
} from '@chat/shared/testing';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registerMessageModel } from '../src/data-access/message.model.js';
import { createMessageRepository } from '../src/data-access/message.repository.js';
import { registerUsers, sendOk, startTestApp, type TestApp } from './support.js';

// Two replicas of the service on one database, as the scaled stack runs them, each with its own relay.
let first: TestApp;
let second: TestApp;
let stray: Connection;
let created: EventCollector<'message.created'>;

beforeAll(async () => {
  // Relays that look at the database every 20 ms, so the two race for every document left there.
  const overrides = { outbox: { intervalMs: 20 } };
  first = await startTestApp({ overrides });
  second = await startTestApp({ dbName: first.dbName, namespace: first.namespace, overrides });
  stray = await connectMongo(testEnv().mongoUrl, first.dbName);
  created = await collectEvents(testEnv().amqpUrl, 'message.created', { namespace: first.namespace });
});

afterAll(async () => {
  await created?.close();
  await stray?.close();
  await second?.close();
  await first?.close();
});

/** Messages stored as by an instance that crashed before publishing them: in the outbox, nobody's lease. */
async function storeOrphans(count: number): Promise<string[]> {
  const messages = createMessageRepository(registerMessageModel(stray));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const _id = messages.newId();
    const stored = await messages.insert({
      _id,
      conversationId: newObjectId(),
      senderId: newObjectId(),
      receiverId: newObjectId(),
      message: `orphan ${i}`,
      seq: 1,
      peerSeq: 0,
    });
    if (!stored.inserted) throw new Error('orphan not inserted');
    ids.push(_id);
  }
  return ids;
}

describe('two replicas on one database', () => {
  test('publish each event once: their own sends and what a crashed instance left, raced for', async () => {
    const [alice, bob] = await registerUsers(first, 2);
    if (!alice || !bob) throw new Error('fixtures');
    const [orphans, viaFirst, viaSecond] = await Promise.all([
      storeOrphans(100),
      Promise.all(Array.from({ length: 40 }, (_, i) => sendOk(first, alice, bob, `first ${i}`))),
      Promise.all(Array.from({ length: 40 }, (_, i) => sendOk(second, bob, alice, `second ${i}`))),
    ]);
    const ids = new Set([...orphans, ...viaFirst.map((m) => m._id), ...viaSecond.map((m) => m._id)]);
    expect(ids.size).toBe(180);

    await waitFor(
      async () => (await first.db.collection('messages').countDocuments({ outbox: true })) === 0,
      { timeoutMs: 15_000, message: 'the outbox did not drain' },
    );
    // Every publish was confirmed before its settle; a marker published after them arrives after them.
    const marker = fakeMessageCreatedEvent();
    await publishRaw(testEnv().amqpUrl, 'message.created', marker, { namespace: first.namespace });
    await created.waitForEvent((e) => e.eventId === marker.eventId);

    const published = new Map<string, number>();
    for (const event of created.events) {
      if (ids.has(event.message._id)) {
        published.set(event.message._id, (published.get(event.message._id) ?? 0) + 1);
      }
    }
    expect(published.size).toBe(180);
    expect([...published.values()].filter((n) => n !== 1)).toEqual([]);
    const leased = await first.db.collection('messages').countDocuments({ leaseOwner: { $exists: true } });
    expect(leased).toBe(0);
  }, 60_000);
});
