import { blockReply, userListItem } from '@chat/shared/api';
import { userBlockedEvent } from '@chat/shared/events';
import { deleteBrokerNamespace } from '@chat/shared/messaging';
import {
  type CollectedMessage,
  codedErrorReply,
  collectEvents,
  type EventCollector,
  newObjectId,
  publishRaw,
  testEnv,
  uniqueName,
  userRegisteredFixture,
  waitFor,
} from '@chat/shared/testing';
import { MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { getAs, requestAs, startTestApp, type TestApp } from './support.js';

const namespace = uniqueName('test-users-block');
let t: TestApp;
let mongo: MongoClient;
// One queue bound to `user.*`: blocked and unblocked arrive in the order they were published.
let changes: EventCollector<'user.blocked'>;

type Change = { type: string; blockerId: string; blockedId: string; eventId: string; occurredAt: string };

function changesOf(blockerId: string, blockedId?: string): Change[] {
  return changes.messages
    .filter((m) => m.event.blockerId === blockerId && (!blockedId || m.event.blockedId === blockedId))
    .map((m: CollectedMessage<'user.blocked'>) => ({ type: String(m.properties.type), ...m.event }));
}

async function register(count: number): Promise<string[]> {
  const events = Array.from({ length: count }, () => userRegisteredFixture());
  for (const e of events) await publishRaw(testEnv().amqpUrl, 'user.registered', e, { namespace });
  const ids = events.map((e) => e.user._id);
  await waitFor(
    async () =>
      (await users().countDocuments({ _id: { $in: ids.map((id) => new ObjectId(id)) } })) === ids.length,
    { message: 'users were not stored' },
  );
  return ids;
}

const users = () => mongo.db(t.dbName).collection('users');
const blocks = () => mongo.db(t.dbName).collection('blocks');

async function setBlock(method: 'POST' | 'DELETE', caller: string, target: string) {
  const res = await requestAs(t.url, method, `/api/users/block/${target}`, caller);
  expect(res.status).toBe(200);
  return blockReply.parse(await res.json());
}

async function listAs(caller: string) {
  const res = await getAs(t.url, '/api/users', caller);
  expect(res.status).toBe(200);
  return z.array(userListItem).parse(await res.json());
}

beforeAll(async () => {
  changes = await collectEvents(testEnv().amqpUrl, 'user.blocked', { namespace, bindingKey: 'user.*' });
  t = await startTestApp({ namespace });
  mongo = await MongoClient.connect(testEnv().mongoUrl);
});

afterAll(async () => {
  await t?.app.stop();
  await changes?.close();
  await mongo?.close();
  await deleteBrokerNamespace(testEnv().amqpUrl, namespace);
});

describe('POST and DELETE /api/users/block/:id', () => {
  test('block twice, unblock twice, block again: 200 each time and exactly three events, in order', async () => {
    const [alice, bob] = await register(2);
    if (!alice || !bob) throw new Error('fixtures');

    expect(await setBlock('POST', alice, bob)).toEqual({ userId: bob, blocked: true });
    expect(await setBlock('POST', alice, bob)).toEqual({ userId: bob, blocked: true });
    expect(await setBlock('DELETE', alice, bob)).toEqual({ userId: bob, blocked: false });
    expect(await setBlock('DELETE', alice, bob)).toEqual({ userId: bob, blocked: false });
    expect(await setBlock('POST', alice, bob)).toEqual({ userId: bob, blocked: true });

    await waitFor(() => changesOf(alice).length >= 3, { message: 'three block events did not arrive' });
    const seen = changesOf(alice);
    expect(seen.map((c) => c.type)).toEqual(['user.blocked', 'user.unblocked', 'user.blocked']);
    for (const c of seen) expect(c).toMatchObject({ blockerId: alice, blockedId: bob });
    expect(new Set(seen.map((c) => c.eventId)).size).toBe(3);
    const times = seen.map((c) => Date.parse(c.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBe(3);
    const message = changes.messages.find((m) => m.event.eventId === seen[0]?.eventId);
    expect(userBlockedEvent.parse(message?.event)).toEqual(message?.event);
    expect(message?.properties.messageId).toBe(seen[0]?.eventId);
    await waitFor(
      async () => (await blocks().findOne({ blockerId: new ObjectId(alice) }))?.outbox.length === 0,
      {
        message: 'the outbox was never drained',
      },
    );
  });

  test('GET /api/users flags the users I blocked, keeps listing them, and is not symmetric', async () => {
    const [me, blocked, other] = await register(3);
    if (!me || !blocked || !other) throw new Error('fixtures');
    await setBlock('POST', me, blocked);

    const mine = new Map((await listAs(me)).map((u) => [u._id, u.blocked]));
    expect(mine.get(blocked)).toBe(true);
    expect(mine.get(other)).toBe(false);
    const theirs = new Map((await listAs(blocked)).map((u) => [u._id, u.blocked]));
    expect(theirs.get(me)).toBe(false);

    await setBlock('DELETE', me, blocked);
    const after = new Map((await listAs(me)).map((u) => [u._id, u.blocked]));
    expect(after.get(blocked)).toBe(false);
  });

  test('concurrent blocks and unblocks of one pair end in one state that the events, applied in order, reproduce', async () => {
    const [alice, bob] = await register(2);
    if (!alice || !bob) throw new Error('fixtures');
    const methods = Array.from({ length: 16 }, (_, i): 'POST' | 'DELETE' =>
      i % 2 === 0 ? 'POST' : 'DELETE',
    );
    await Promise.all(methods.map((m) => setBlock(m, alice, bob)));

    const pair = await waitFor(
      async () => {
        const doc = await blocks().findOne({ blockerId: new ObjectId(alice) });
        return doc && doc.outbox.length === 0 ? doc : undefined;
      },
      { message: 'the outbox was never drained' },
    );
    if (!pair) throw new Error('unreachable');
    const applied = await waitFor(() => {
      const unique = [...new Map(changesOf(alice).map((c) => [c.eventId, c])).values()];
      return unique.length >= pair.version ? unique : undefined;
    });
    if (!applied) throw new Error('unreachable');
    expect(applied).toHaveLength(pair.version);
    // A pair's history alternates, starting with a block, each change strictly later than the last.
    applied.forEach((c, i) => {
      expect(c.type).toBe(i % 2 === 0 ? 'user.blocked' : 'user.unblocked');
    });
    const times = applied.map((c) => Date.parse(c.occurredAt));
    expect(new Set(times).size).toBe(times.length);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(applied.at(-1)?.type === 'user.blocked').toBe(pair.blocked);
    const listed = (await listAs(alice)).find((u) => u._id === bob);
    expect(listed?.blocked).toBe(pair.blocked);
  });

  test.each([
    ['a malformed id', () => 'not-an-id', 400, 'USERS.INVALID_ID'],
    ['an upper-case id', () => newObjectId().toUpperCase(), 400, 'USERS.INVALID_ID'],
    ['an operator', () => encodeURIComponent('{"$gt":""}'), 400, 'USERS.INVALID_ID'],
    ['an unknown user', () => newObjectId(), 404, 'USERS.USER_NOT_FOUND'],
  ])('%s is refused, stores nothing and publishes nothing', async (_label, target, status, code) => {
    const [caller, known] = await register(2);
    if (!caller || !known) throw new Error('fixtures');
    for (const method of ['POST', 'DELETE'] as const) {
      const res = await requestAs(t.url, method, `/api/users/block/${target()}`, caller);
      expect(res.status).toBe(status);
      expect(codedErrorReply.parse(await res.json()).code).toBe(code);
    }
    expect(await blocks().countDocuments({ blockerId: new ObjectId(caller) })).toBe(0);
    // A real block afterwards is published by the same relay in order: nothing of the caller's came before it.
    await setBlock('POST', caller, known);
    await waitFor(() => changesOf(caller).length >= 1, { message: 'the valid block was not published' });
    expect(changesOf(caller).map((c) => c.blockedId)).toEqual([known]);
  });

  test('blocking yourself is a 400 and changes nothing', async () => {
    const [me, known] = await register(2);
    if (!me || !known) throw new Error('fixtures');
    for (const method of ['POST', 'DELETE'] as const) {
      const res = await requestAs(t.url, method, `/api/users/block/${me}`, me);
      expect(res.status).toBe(400);
      expect(codedErrorReply.parse(await res.json()).code).toBe('USERS.SELF_BLOCK');
    }
    expect(await blocks().countDocuments({ blockerId: new ObjectId(me) })).toBe(0);
    await setBlock('POST', me, known);
    await waitFor(() => changesOf(me).length >= 1, { message: 'the valid block was not published' });
    expect(changesOf(me).map((c) => c.blockedId)).toEqual([known]);
  });

  test('without an internal token the answer is 401', async () => {
    const res = await requestAs(t.url, 'POST', `/api/users/block/${newObjectId()}`);
    expect(res.status).toBe(401);
    codedErrorReply.parse(await res.json());
  });
});
