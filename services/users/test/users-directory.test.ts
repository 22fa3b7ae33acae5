import { objectId } from '@chat/shared/events';
import { redisKeys } from '@chat/shared/redis';
import {
  codedErrorReply,
  newObjectId,
  publishRaw,
  testEnv,
  userRegisteredFixture,
  waitFor,
} from '@chat/shared/testing';
import { Redis } from 'ioredis';
import { MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { getAs, REDIS_PREFIX, startTestApp, type TestApp, takeOne } from './support.js';

const listedUser = z.strictObject({
  _id: objectId,
  fullName: z.string().min(1),
  username: z.string().min(1),
  profilePic: z.string().min(1),
  gender: z.enum(['male', 'female']),
  status: z.enum(['Available', 'Busy']),
  statusUntil: z.iso.datetime().nullable(),
  online: z.boolean(),
  blocked: z.boolean(),
});
const usersReply = z.array(listedUser);

let t: TestApp;
let mongo: MongoClient;
let redis: Redis;

async function listAs(userId: string, query = ''): Promise<z.infer<typeof usersReply>> {
  const res = await getAs(t.url, `/api/users${query}`, userId);
  expect(res.status).toBe(200);
  return usersReply.parse(await res.json());
}

/** Publish `user.registered` as is (no validation) in the app's namespace. */
const publishUser = (event: object) =>
  publishRaw(testEnv().amqpUrl, 'user.registered', event, { namespace: t.namespace });

/** Publish through the real broker and wait until the consumer stored the user. */
async function register(...events: ReturnType<typeof userRegisteredFixture>[]): Promise<void> {
  for (const event of events) await publishUser(event);
  const ids = events.map((e) => new ObjectId(e.user._id));
  await waitFor(async () => (await users().countDocuments({ _id: { $in: ids } })) === ids.length, {
    message: 'users were not stored',
  });
}

const users = () => mongo.db(t.dbName).collection('users');

/** Resolves once the consumer logged that it handled `count` deliveries of `eventId`. */
function handled(eventId: string, count = 1) {
  return waitFor(
    () =>
      t.logs.lines.filter((l) => l.msg === 'user.registered handled' && l.eventId === eventId).length >=
      count,
    { message: `event ${eventId} not handled ${count} time(s)` },
  );
}

beforeAll(async () => {
  t = await startTestApp();
  mongo = await MongoClient.connect(testEnv().mongoUrl);
  redis = new Redis(testEnv().redisUrl, { keyPrefix: REDIS_PREFIX });
});

afterAll(async () => {
  await t?.close();
  await mongo?.close();
  redis?.disconnect();
});

describe('user.registered consumer', () => {
  test("a registered user appears in the others' list within a second, never in their own, with no secrets", async () => {
    const alice = userRegisteredFixture();
    const bob = userRegisteredFixture();
    await publishUser({ ...alice });
    await publishUser({ ...bob });

    const seen = await waitFor(
      async () => (await listAs(alice.user._id)).find((u) => u._id === bob.user._id),
      {
        timeoutMs: 1_000,
        message: "bob did not appear in alice's list within a second",
      },
    );
    const { createdAt: _notListed, ...listedFields } = bob.user;
    expect(seen).toEqual({
      ...listedFields,
      status: 'Available',
      statusUntil: null,
      online: false,
      blocked: false,
    });
    const bobsView = await waitFor(async () => {
      const list = await listAs(bob.user._id);
      return list.some((u) => u._id === alice.user._id) ? list : undefined;
    });
    expect(bobsView?.some((u) => u._id === bob.user._id)).toBe(false);
    const stored = await users().findOne({ _id: new ObjectId(bob.user._id) });
    expect(Object.keys(stored ?? {})).not.toContain('password');
  });

  test('a redelivered event stores one user, and an older event never overwrites a newer one', async () => {
    const event = userRegisteredFixture({}, { occurredAt: '2030-01-01T00:00:00.000Z' });
    await register(event);
    await publishUser(event);
    await handled(event.eventId, 2);
    const older = userRegisteredFixture(
      { ...event.user, fullName: 'Stale Name' },
      { occurredAt: '2029-01-01T00:00:00.000Z' },
    );
    await publishUser(older);
    await handled(older.eventId);

    const stored = await users()
      .find({ _id: new ObjectId(event.user._id) })
      .toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.fullName).toBe(event.user.fullName);
  });

  test('an invalid event is dead-lettered and not stored', async () => {
    const valid = userRegisteredFixture();
    const { username: _dropped, ...userWithoutUsername } = valid.user;
    const invalid = { ...valid, user: userWithoutUsername };
    await publishUser(invalid);

    const deadLetter = await waitFor(() => takeOne(testEnv().amqpUrl, `${t.queue}.dlq`), {
      message: 'the invalid event never reached the dead-letter queue',
    });
    expect(deadLetter).toEqual(invalid);
    expect(await users().countDocuments({ _id: new ObjectId(valid.user._id) })).toBe(0);
  });
});

describe('GET /api/users', () => {
  test('q filters fullName or username case-insensitively, literally, sorted by fullName', async () => {
    const token = newObjectId().slice(-10);
    const carol = userRegisteredFixture({ fullName: `Carol (${token}).*` });
    const anna = userRegisteredFixture({ fullName: `Anna ${token}` });
    const bert = userRegisteredFixture({ fullName: 'Bert Plain', username: `bert_${token}` });
    const other = userRegisteredFixture({ fullName: 'Zed Unrelated' });
    await register(carol, anna, bert, other);

    const byToken = await listAs(other.user._id, `?q=${token.toUpperCase()}`);
    expect(byToken.map((u) => u._id)).toEqual([anna.user._id, bert.user._id, carol.user._id]);
    const literal = await listAs(other.user._id, `?q=${encodeURIComponent(`(${token}).*`)}`);
    expect(literal.map((u) => u._id)).toEqual([carol.user._id]);
    const regexLooking = await listAs(other.user._id, `?q=${encodeURIComponent(`${token}|Zed`)}`);
    expect(regexLooking).toEqual([]);
    const callerExcluded = await listAs(anna.user._id, `?q=${token}`);
    expect(callerExcluded.map((u) => u._id)).toEqual([bert.user._id, carol.user._id]);
  });

  test('without q, every other user is listed, sorted by fullName', async () => {
    const caller = userRegisteredFixture();
    const a = userRegisteredFixture({ fullName: 'aaa first' });
    await register(caller, a);
    const list = await listAs(caller.user._id);
    expect(list.some((u) => u._id === a.user._id)).toBe(true);
    expect(list.some((u) => u._id === caller.user._id)).toBe(false);
    const names = list.map((u) => u.fullName);
    expect(names).toEqual([...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  });

  test('status, statusUntil and online come from the realtime keys in Redis', async () => {
    const [caller, busyOnline, lapsed, unknown] = [1, 2, 3, 4].map(() => userRegisteredFixture());
    if (!caller || !busyOnline || !lapsed || !unknown) throw new Error('fixtures');
    await register(caller, busyOnline, lapsed, unknown);
    const ids = [busyOnline.user._id, lapsed.user._id, unknown.user._id];
    const until = Date.now() + 3_600_000;
    try {
      await redis.hset(redisKeys.status, busyOnline.user._id, 'Busy');
      await redis.zadd(redisKeys.statusUntil, until, busyOnline.user._id);
      await redis.zadd(redisKeys.presenceOnline, Date.now() + 30_000, busyOnline.user._id);
      await redis.zadd(redisKeys.presenceOnline, Date.now() - 1_000, lapsed.user._id);

      const list = await listAs(caller.user._id);
      const byId = new Map(list.map((u) => [u._id, u]));
      expect(byId.get(busyOnline.user._id)).toMatchObject({
        status: 'Busy',
        statusUntil: new Date(until).toISOString(),
        online: true,
      });
      expect(byId.get(lapsed.user._id)).toMatchObject({
        status: 'Available',
        statusUntil: null,
        online: false,
      });
      expect(byId.get(unknown.user._id)).toMatchObject({
        status: 'Available',
        statusUntil: null,
        online: false,
      });
    } finally {
      await redis.hdel(redisKeys.status, ...ids);
      await redis.zrem(redisKeys.statusUntil, ...ids);
      await redis.zrem(redisKeys.presenceOnline, ...ids);
    }
  });

  test('without an internal token the answer is 401', async () => {
    const missing = await getAs(t.url, '/api/users');
    expect(missing.status).toBe(401);
    expect(codedErrorReply.parse(await missing.json()).error).toBe('Unauthorized - No Token Provided');
    const forged = await fetch(`${t.url}/api/users`, { headers: { 'x-internal-token': 'not-a-token' } });
    expect(forged.status).toBe(401);
    expect(codedErrorReply.parse(await forged.json()).error).toBe('Unauthorized - Invalid Token');
  });

  test.each([
    ['an array', '?q=a&q=b'],
    ['an object', '?q[$ne]=x'],
    ['51 characters', `?q=${'x'.repeat(51)}`],
    ['an unknown parameter', '?search=x'],
  ])('q as %s is a 400', async (_label, query) => {
    const res = await getAs(t.url, `/api/users${query}`, newObjectId());
    expect(res.status).toBe(400);
    codedErrorReply.parse(await res.json());
  });

  test('q of exactly 50 characters is accepted', async () => {
    const res = await getAs(t.url, `/api/users?q=${'x'.repeat(50)}`, newObjectId());
    expect(res.status).toBe(200);
    expect(usersReply.parse(await res.json())).toEqual([]);
  });
});

describe('GET /readyz', () => {
  test('reports Mongo, Redis and the broker up', async () => {
    const body = await waitFor(async () => {
      const r = await fetch(`${t.url}/readyz`);
      return r.status === 200 ? ((await r.json()) as unknown) : undefined;
    });
    expect(body).toEqual({ status: 'ready', checks: { mongo: 'up', redis: 'up', broker: 'up' } });
  });
});
