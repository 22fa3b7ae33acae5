import { randomUUID } from 'node:crypto';
import { collectEvents, type EventCollector, testEnv, waitFor } from '@chat/shared/testing';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AMQP_NAMESPACE, openDb, type RunningAuth, signUpOn, startAuth } from './support/auth-app.js';

// Two replicas of the service on one database, as the scaled stack runs them, each with its own relay
// looking at the database every 5 ms, so the two race for every account whose event is not yet published.
let first: RunningAuth;
let second: RunningAuth;
let db: Awaited<ReturnType<typeof openDb>>;
let registered: EventCollector<'user.registered'>;

beforeAll(async () => {
  registered = await collectEvents(testEnv().amqpUrl, 'user.registered', { namespace: AMQP_NAMESPACE });
  first = await startAuth({}, { outboxIntervalMs: 5 });
  second = await startAuth({ MONGO_DB: first.config.MONGO_DB }, { outboxIntervalMs: 5 });
  db = await openDb(first.config);
});

afterAll(async () => {
  await db?.close();
  await second?.app.stop();
  await first?.app.stop();
  await registered?.close();
});

/** Accounts stored as by an instance that crashed before publishing their events: pending, nobody's lease. */
async function storeOrphans(count: number): Promise<string[]> {
  const now = new Date();
  const docs = Array.from({ length: count }, (_, i) => {
    const username = `orphan${i}x${randomUUID().slice(0, 8)}`;
    return {
      _id: new ObjectId(),
      fullName: `Orphan ${i}`,
      username,
      usernameLower: username.toLowerCase(),
      password: 'not a hash: nobody logs in',
      gender: 'female',
      profilePic: `/api/auth/avatar/${username}.svg`,
      eventId: randomUUID(),
      eventOccurredAt: now,
      eventPending: true,
      createdAt: now,
      updatedAt: now,
    };
  });
  await db.users.insertMany(docs);
  return docs.map((doc) => doc._id.toHexString());
}

describe('two auth replicas on one database', () => {
  test('publish each user.registered once: signups on both and accounts left by a crashed instance', async () => {
    const orphans = await storeOrphans(60);
    const signups = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signUpOn(i % 2 ? first : second, { gender: 'male' })),
    );
    const ids = [...orphans, ...signups.map(({ user }) => user._id)];

    await waitFor(() => ids.every((id) => registered.events.some((e) => e.user._id === id)), {
      timeoutMs: 15_000,
      message: 'not every account was published',
    });
    // Every account published and marked: nothing is left for a relay to publish again.
    await waitFor(async () => (await db.users.countDocuments({ eventPending: true })) === 0, {
      message: 'accounts left pending',
    });
    // A last signup's event behind them shows that no second copy of any was still on its way.
    const { user: marker } = await signUpOn(first, { gender: 'male' });
    await registered.waitForEvent((e) => e.user._id === marker._id, 10_000);
    // The broker hands the event on before its relay marks it published: wait for the mark as well.
    await waitFor(async () => (await db.users.countDocuments({ eventPending: true })) === 0, {
      message: 'the last signup left pending',
    });

    const published = registered.events.map((e) => e.user._id).filter((id) => ids.includes(id));
    expect(published.sort()).toEqual([...ids].sort());
    expect(await db.users.countDocuments({ leaseOwner: { $exists: true } })).toBe(0);
  });
});
