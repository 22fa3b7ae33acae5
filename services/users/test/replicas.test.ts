import { deleteBrokerNamespace } from '@chat/shared/messaging';
import { publishRaw, testEnv, uniqueName, userRegisteredFixture, waitFor } from '@chat/shared/testing';
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
