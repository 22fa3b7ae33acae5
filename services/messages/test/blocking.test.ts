import { newEventEnvelope } from '@chat/shared/events';
import { codedErrorReply, publishRaw, testEnv, waitFor } from '@chat/shared/testing';
import amqplib from 'amqplib';
import { describe, expect, test } from 'vitest';
import { conversationsOk, publishBlockChange } from './api-client.js';
import { countSentBy, historyOk, registerUsers, send, sendOk, useTestApp } from './support.js';

const t = useTestApp();

async function queueDepth(queue: string): Promise<number> {
  const connection = await amqplib.connect(testEnv().amqpUrl);
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close();
  }
}

const pair = async () => (await registerUsers(t, 2)) as [string, string];

async function expectRefused(from: string, to: string): Promise<void> {
  const res = await send(t, from, to, { message: 'can you hear me?' });
  expect(res.status).toBe(403);
  expect(codedErrorReply.parse(await res.json())).toEqual({
    error: "You can't message this user",
    code: 'MESSAGES.BLOCKED',
  });
}

describe('user.blocked / user.unblocked', () => {
  test('while A blocks B, sends either way are 403 and store nothing; unblocking restores them', async () => {
    const [a, b] = await pair();
    const before = await sendOk(t, a, b, 'before the block');
    await publishBlockChange(t, 'user.blocked', a, b);

    await expectRefused(a, b);
    await expectRefused(b, a);
    expect(await countSentBy(t, a)).toBe(1);
    expect(await countSentBy(t, b)).toBe(0);
    // History and the list stay as they were.
    expect(await historyOk(t, b, a)).toEqual([before]);
    expect((await conversationsOk(t, b))[0]).toMatchObject({ lastMessage: before, unreadCount: 1 });

    await publishBlockChange(t, 'user.unblocked', a, b);
    const after = await sendOk(t, b, a, 'hello again');
    expect(await historyOk(t, a, b)).toEqual([before, after]);
  });

  test('a block between users who never talked is enforced, and leaves no conversation in their lists', async () => {
    const [a, b] = await pair();
    await publishBlockChange(t, 'user.blocked', b, a);
    await expectRefused(a, b);
    await expectRefused(b, a);
    expect(await conversationsOk(t, a)).toEqual([]);
    expect(await conversationsOk(t, b)).toEqual([]);
  });

  test('both blocking: sends stay refused until both unblocked', async () => {
    const [a, b] = await pair();
    await publishBlockChange(t, 'user.blocked', a, b);
    await publishBlockChange(t, 'user.blocked', b, a);
    await publishBlockChange(t, 'user.unblocked', a, b);
    await expectRefused(a, b);
    await publishBlockChange(t, 'user.unblocked', b, a);
    await sendOk(t, a, b, 'finally');
  });

  test('a redelivered older block does not undo a newer unblock, and a duplicate block changes nothing', async () => {
    const [a, b] = await pair();
    const blockedAt = new Date(Date.now() - 60_000);
    const block = await publishBlockChange(t, 'user.blocked', a, b, blockedAt);
    await publishBlockChange(t, 'user.unblocked', a, b, new Date(Date.now() - 30_000));
    // The old block again (a redelivery), then a marker event from another pair to know it was consumed.
    await publishRaw(testEnv().amqpUrl, 'user.blocked', block, { namespace: t.namespace });
    const [c, d] = await pair();
    await publishBlockChange(t, 'user.blocked', c, d);
    await sendOk(t, a, b, 'still allowed');

    const pairKey = [a, b].sort().join(':');
    const doc = await t.db.collection('conversations').findOne({ pairKey });
    expect(doc?.blockedBy).toEqual([]);
  });

  test('an invalid block event goes to the dead-letter queue and changes nothing', async () => {
    const [a, b] = await pair();
    await publishRaw(
      testEnv().amqpUrl,
      'user.blocked',
      { ...newEventEnvelope(), blockerId: a },
      { toQueue: t.blockQueues.userBlocked, namespace: t.namespace },
    );
    await waitFor(async () => (await queueDepth(`${t.blockQueues.userBlocked}.dlq`)) === 1, {
      message: 'the invalid event did not reach the dead-letter queue',
    });
    await publishBlockChange(t, 'user.blocked', b, a);
    await publishBlockChange(t, 'user.unblocked', b, a);
    await sendOk(t, a, b, 'unaffected');
  });
});
