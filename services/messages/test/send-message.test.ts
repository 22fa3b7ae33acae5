import { codedErrorReply, newObjectId, waitFor } from '@chat/shared/testing';
import { ObjectId } from 'mongodb';
import { describe, expect, test } from 'vitest';
import { countSentBy, historyOk, registerUsers, send, sendOk, useEvents, useTestApp } from './support.js';

const t = useTestApp();
const events = useEvents(t, 'message.created');

const eventsFor = (messageId: string) => events.events.filter((e) => e.message._id === messageId);

describe('POST /api/messages/send/:id', () => {
  test('stores the message, answers 201 with the public shape, publishes message.created, and fetch returns it', async () => {
    const [alice, bob] = await registerUsers(t, 2);
    if (!alice || !bob) throw new Error('fixtures');

    const sent = await sendOk(t, alice, bob, '  hello bob  ');
    expect(sent).toMatchObject({ senderId: alice, receiverId: bob, message: 'hello bob' });
    expect(await historyOk(t, bob, alice)).toEqual([sent]);
    expect(await historyOk(t, alice, bob)).toEqual([sent]);

    const event = await waitFor(() => eventsFor(sent._id)[0], { message: 'no message.created event' });
    expect(event?.message).toEqual({
      _id: sent._id,
      conversationId: sent.conversationId,
      senderId: alice,
      receiverId: bob,
      message: 'hello bob',
      createdAt: sent.createdAt,
    });
  });

  const badBodies: Array<[string, unknown]> = [
    ['a missing body', undefined],
    ['an empty object', {}],
    ['a non-string message', { message: 42 }],
    ['an operator object', { message: { $gt: '' } }],
    ['an empty message', { message: '' }],
    ['a whitespace-only message', { message: '   \n\t ' }],
    ['a 2001-character message', { message: 'x'.repeat(2001) }],
    ['an unknown field', { message: 'hi', receiverId: newObjectId() }],
    ['an array body', [{ message: 'hi' }]],
  ];
  test.each(badBodies)('%s is a 400 and stores nothing', async (_label, body) => {
    const [alice, bob] = await registerUsers(t, 2);
    if (!alice || !bob) throw new Error('fixtures');
    const res = await send(t, alice, bob, body);
    expect(res.status).toBe(400);
    codedErrorReply.parse(await res.json());
    expect(await countSentBy(t, alice)).toBe(0);
  });

  test('a 2000-character message is accepted', async () => {
    const [alice, bob] = await registerUsers(t, 2);
    if (!alice || !bob) throw new Error('fixtures');
    const sent = await sendOk(t, alice, bob, 'y'.repeat(2000));
    expect(sent.message).toHaveLength(2000);
  });

  test('messaging yourself, an unknown receiver, a malformed id or a bad Idempotency-Key is a 4xx and stores nothing', async () => {
    const [alice] = await registerUsers(t, 1);
    if (!alice) throw new Error('fixtures');
    const cases: Array<[string, Record<string, string>, number, string]> = [
      [alice, {}, 400, 'MESSAGES.SELF_SEND'],
      [newObjectId(), {}, 404, 'MESSAGES.RECEIVER_NOT_FOUND'],
      ['not-an-id', {}, 400, 'MESSAGES.INVALID_ID'],
      [newObjectId().toUpperCase(), {}, 400, 'MESSAGES.INVALID_ID'],
      [newObjectId(), { 'idempotency-key': 'has space' }, 400, 'MESSAGES.INVALID_IDEMPOTENCY_KEY'],
      [newObjectId(), { 'idempotency-key': 'k'.repeat(201) }, 400, 'MESSAGES.INVALID_IDEMPOTENCY_KEY'],
    ];
    for (const [to, headers, status, code] of cases) {
      const res = await send(t, alice, to, { message: 'hi' }, headers);
      expect(res.status, `${to} ${JSON.stringify(headers)}`).toBe(status);
      expect(codedErrorReply.parse(await res.json()).code).toBe(code);
    }
    const unknown = await send(t, alice, newObjectId(), { message: 'hi' });
    expect(codedErrorReply.parse(await unknown.json()).error).toBe('Receiver not found');
    expect(await countSentBy(t, alice)).toBe(0);
    expect(await t.db.collection('conversations').countDocuments({ pairKey: { $regex: alice } })).toBe(0);
  });

  test('without an internal token the answer is 401', async () => {
    const res = await fetch(`${t.url}/api/messages/send/${newObjectId()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hi' }),
    });
    expect(res.status).toBe(401);
    expect(codedErrorReply.parse(await res.json()).error).toBe('Unauthorized - No Token Provided');
  });

  test('20 concurrent first messages between two users create exactly one conversation', async () => {
    const [alice, bob] = await registerUsers(t, 2);
    if (!alice || !bob) throw new Error('fixtures');
    const sends = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0 ? sendOk(t, alice, bob, `a${i}`) : sendOk(t, bob, alice, `b${i}`),
    );
    const replies = await Promise.all(sends);

    expect(new Set(replies.map((r) => r.conversationId)).size).toBe(1);
    const pairKey = [alice, bob].sort().join(':');
    expect(await t.db.collection('conversations').countDocuments({ pairKey })).toBe(1);
    expect(await historyOk(t, alice, bob)).toHaveLength(20);
  });

  test('the same Idempotency-Key sent 5 times concurrently stores one message and publishes one event', async () => {
    const [alice, bob] = await registerUsers(t, 2);
    if (!alice || !bob) throw new Error('fixtures');
    const headers = { 'idempotency-key': `retry-${newObjectId()}` };

    const replies = await Promise.all(
      Array.from({ length: 5 }, () => sendOk(t, alice, bob, 'only once', headers)),
    );
    const first = replies[0];
    if (!first) throw new Error('no reply');
    for (const reply of replies) expect(reply).toEqual(first);
    expect(await countSentBy(t, alice)).toBe(1);
    // The losers' sends were counted before their inserts failed; the newest-message id points at a real one.
    const conversation = await t.db
      .collection('conversations')
      .findOne({ _id: new ObjectId(first.conversationId) });
    expect(conversation?.lastMessageId.toHexString()).toBe(first._id);
    const later = await sendOk(t, alice, bob, 'only once', headers);
    expect(later).toEqual(first);

    // The relay publishes in _id order: once a later message's event is here, a duplicate would be too.
    const sentinel = await sendOk(t, alice, bob, 'sentinel');
    await waitFor(() => eventsFor(sentinel._id).length > 0, { message: 'sentinel event never arrived' });
    expect(eventsFor(first._id)).toHaveLength(1);
    expect(await countSentBy(t, alice)).toBe(2);
  });

  test('an Idempotency-Key reused for a different message is a 409 and stores nothing', async () => {
    const [alice, bob] = await registerUsers(t, 2);
    if (!alice || !bob) throw new Error('fixtures');
    const headers = { 'idempotency-key': `k-${newObjectId()}` };
    await sendOk(t, alice, bob, 'first', headers);
    const res = await send(t, alice, bob, { message: 'second' }, headers);
    expect(res.status).toBe(409);
    codedErrorReply.parse(await res.json());
    expect(await countSentBy(t, alice)).toBe(1);
  });

  test('the message document carries its outbox state and the conversation does not grow', async () => {
    const [alice, bob] = await registerUsers(t, 2);
    if (!alice || !bob) throw new Error('fixtures');
    const sent = await sendOk(t, alice, bob, 'tracked');
    const doc = await waitFor(async () => {
      const found = await t.db.collection('messages').findOne({ _id: new ObjectId(sent._id) });
      return found?.publishedAt instanceof Date && found.outbox === undefined ? found : undefined;
    });
    // Once published, nothing of the outbox is left on the message.
    expect(doc?.pendingEvents).toEqual([]);
    expect(doc?.outboxAt).toBeUndefined();
    const conversation = await t.db
      .collection('conversations')
      .findOne({ _id: new ObjectId(sent.conversationId) });
    // Counters and the last message id, never the messages themselves.
    expect(Object.keys(conversation ?? {}).sort()).toEqual(
      ['_id', 'createdAt', 'lastMessageId', 'pairKey', 'participants', 'sent', 'updatedAt'].sort(),
    );
    expect(conversation?.sent).toEqual({ [alice]: 1 });
    expect(conversation?.lastMessageId.toHexString()).toBe(sent._id);
  });
});
