import { deleteBrokerNamespace } from '@chat/shared/messaging';
import {
  collectEvents,
  publishRaw,
  testEnv,
  uniqueName,
  userRegisteredFixture,
  waitFor,
} from '@chat/shared/testing';
import { MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestApp, type TestApp, takeOne } from './support.js';

const { amqpUrl, mongoUrl } = testEnv();
// Both replicas consume the one `user.registered` queue of this namespace and write the one directory.
const namespace = uniqueName('test-users-replicas');
let replicas: TestApp[] = [];
let mongo: MongoClient;

beforeAll(async () => {
  const first = await startTestApp({ namespace });
  const second = await startTestApp({ namespace, dbName: first.dbName });
  replicas = [first, second];
  mongo = await MongoClient.connect(mongoUrl);
});

afterAll(async () => {
  await Promise.allSettled(replicas.map((r) => r.close()));
  await mongo?.close();
  await deleteBrokerNamespace(amqpUrl, namespace);
});

type Registered = ReturnType<typeof userRegisteredFixture>;

const handledLines = (replica: TestApp) =>
  replica.logs.lines.filter((l) => l.msg === 'user.registered handled');
const allHandled = () => replicas.flatMap(handledLines);
const failures = () =>
  replicas.flatMap((r) => r.logs.lines.filter((l) => l.msg === 'handler failed, message requeued'));

async function publishAll(events: Registered[]): Promise<void> {
  await Promise.all(events.map((event) => publishRaw(amqpUrl, 'user.registered', event, { namespace })));
}

describe('two users replicas consuming user.registered', () => {
  test('every user is applied once however the deliveries are shared, and an older event never wins', async () => {
    const directory = () => mongo.db(replicas[0]?.dbName).collection('users');
    const events = Array.from({ length: 30 }, () =>
      userRegisteredFixture({}, { occurredAt: '2030-01-01T00:00:00.000Z' }),
    );
    // Each event twice at once (a redelivery racing the original on the other replica).
    await publishAll([...events, ...events]);
    await waitFor(() => allHandled().length === 60, { message: 'not every delivery was handled' });

    for (const replica of replicas) expect(handledLines(replica).length).toBeGreaterThan(0);
    const writes = allHandled().filter((l) => l.wrote === true);
    expect(writes.map((l) => l.userId).sort()).toEqual(events.map((e) => e.user._id).sort());

    const stale = events.map((event) =>
      userRegisteredFixture(
        { ...event.user, fullName: 'Stale Name' },
        { occurredAt: '2029-01-01T00:00:00.000Z' },
      ),
    );
    await publishAll(stale);
    await waitFor(() => allHandled().length === 90, { message: 'the older events were not handled' });
    expect(allHandled().filter((l) => l.wrote === true)).toHaveLength(30);

    const stored = await directory()
      .find({ _id: { $in: events.map((e) => new ObjectId(e.user._id)) } })
      .toArray();
    expect(stored).toHaveLength(30);
    const names = new Map(events.map((e) => [e.user._id, e.user.fullName]));
    for (const doc of stored) expect(doc.fullName).toBe(names.get(doc._id.toHexString()));
    expect(failures()).toEqual([]);
    expect(await takeOne(amqpUrl, `${replicas[0]?.queue}.dlq`)).toBeUndefined();
  });
});

describe('two users replicas publishing block changes from one database', () => {
  test('each event of the pairs left by a crashed instance is published once, in order per pair', async () => {
    const racing = uniqueName('test-users-replicas-outbox');
    const changes = await collectEvents(amqpUrl, 'user.blocked', { namespace: racing, bindingKey: 'user.*' });
    // Relays looking at the database every 5 ms, so the two race for every pair left there.
    const first = await startTestApp({ namespace: racing, outboxIntervalMs: 5 });
    const second = await startTestApp({ namespace: racing, dbName: first.dbName, outboxIntervalMs: 5 });
    try {
      // Pairs as an instance leaves them when it crashes before publishing: block, unblock, block again.
      const at = Date.now();
      const pairs = Array.from({ length: 40 }, () => ({
        _id: new ObjectId(),
        blockerId: new ObjectId(),
        blockedId: new ObjectId(),
        blocked: true,
        version: 3,
        changedAt: new Date(at + 2),
        outbox: [true, false, true].map((blocked, i) => ({
          eventId: crypto.randomUUID(),
          occurredAt: new Date(at + i),
          blocked,
        })),
      }));
      const blocks = mongo.db(first.dbName).collection('blocks');

      await blocks.insertMany(pairs);

      const stored: string[] = pairs.flatMap((pair) => pair.outbox.map((e) => e.eventId));
      await waitFor(() => stored.every((id) => changes.events.some((e) => e.eventId === id)), {
        message: 'not every block change was published',
      });
      await waitFor(async () => (await blocks.countDocuments({ 'outbox.0': { $exists: true } })) === 0, {
        message: 'pairs left with pending events',
      });
      // A last change behind them shows that no second copy of any was still on its way.
      const marker = { ...pairs[0], _id: new ObjectId(), blockerId: new ObjectId() };
      const markerEvent = { eventId: crypto.randomUUID(), occurredAt: new Date(at), blocked: true };
      await blocks.insertOne({ ...marker, outbox: [markerEvent] });
      await waitFor(() => changes.events.some((e) => e.eventId === markerEvent.eventId), {
        message: 'the last change was not published',
      });
      // The broker hands the event on before its relay settles it: wait for the settle as well.
      await waitFor(async () => (await blocks.countDocuments({ 'outbox.0': { $exists: true } })) === 0, {
        message: 'the last change left pending',
      });

      const published = changes.messages.filter((m) => stored.includes(m.event.eventId));
      expect(published.map((m) => m.event.eventId).sort()).toEqual([...stored].sort());
      for (const pair of pairs) {
        const ofPair = published.filter((m) => m.event.blockerId === pair.blockerId.toHexString());
        expect(ofPair.map((m) => m.properties.type)).toEqual([
          'user.blocked',
          'user.unblocked',
          'user.blocked',
        ]);
      }
      expect(await blocks.countDocuments({ leaseOwner: { $exists: true } })).toBe(0);
    } finally {
      await second.close();
      await first.close();
      await changes.close();
      await deleteBrokerNamespace(amqpUrl, racing);
    }
  });
});
