import { messageDeletedEvent, messageUpdatedEvent } from '@chat/shared/events';
import { codedErrorReply, newObjectId } from '@chat/shared/testing';
import { describe, expect, test } from 'vitest';
import { call, conversationsOk, deleteOk, editOk, storedMessage } from './api-client.js';
import { historyOk, registerUsers, sendOk, useEvents, useTestApp } from './support.js';

const t = useTestApp();
const updates = useEvents(t, 'message.updated');
const deletions = useEvents(t, 'message.deleted');

const pair = async () => (await registerUsers(t, 2)) as [string, string];

describe('PATCH /api/messages/:messageId', () => {
  test('the sender edits: 200 with editedAt, message.updated published, history and the conversation list show the new text', async () => {
    const [a, b] = await pair();
    const sent = await sendOk(t, a, b, 'helo');
    const edited = await editOk(t, a, sent._id, '  hello  ');
    expect(edited).toMatchObject({ ...sent, message: 'hello', updatedAt: edited.editedAt });
    expect(Date.parse(edited.editedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(sent.createdAt));

    const event = messageUpdatedEvent.parse(await updates.waitForEvent((e) => e.message._id === sent._id));
    expect(event.message).toEqual({
      _id: sent._id,
      conversationId: sent.conversationId,
      senderId: a,
      receiverId: b,
      message: 'hello',
      createdAt: sent.createdAt,
      editedAt: edited.editedAt,
    });
    expect(await historyOk(t, b, a)).toEqual([edited]);
    expect((await conversationsOk(t, b))[0]?.lastMessage).toEqual(edited);
  });

  test("someone else's message is 403, an unknown id 404, a malformed id or body 400; nothing changes", async () => {
    const [a, b] = await pair();
    const sent = await sendOk(t, a, b, 'original');
    const cases: Array<[string, string, unknown, number, string]> = [
      [b, sent._id, { message: 'mine now' }, 403, 'MESSAGES.NOT_YOUR_MESSAGE'],
      [newObjectId(), sent._id, { message: 'stranger' }, 403, 'MESSAGES.NOT_YOUR_MESSAGE'],
      [a, newObjectId(), { message: 'x' }, 404, 'MESSAGES.MESSAGE_NOT_FOUND'],
      [a, 'not-an-id', { message: 'x' }, 400, 'MESSAGES.INVALID_ID'],
      [a, sent._id, { message: '' }, 400, 'MESSAGES.INVALID_BODY'],
      [a, sent._id, { message: '   ' }, 400, 'MESSAGES.INVALID_BODY'],
      [a, sent._id, { message: 'x'.repeat(2001) }, 400, 'MESSAGES.INVALID_BODY'],
      [a, sent._id, { message: { $gt: '' } }, 400, 'MESSAGES.INVALID_BODY'],
      [a, sent._id, { message: 'x', senderId: b }, 400, 'MESSAGES.INVALID_BODY'],
      [a, sent._id, undefined, 400, 'MESSAGES.INVALID_BODY'],
    ];
    for (const [caller, id, body, status, code] of cases) {
      const res = await call(t, caller, 'PATCH', `/api/messages/${id}`, body);
      expect(res.status, `${caller} ${id} ${JSON.stringify(body)}`).toBe(status);
      expect(codedErrorReply.parse(await res.json()).code).toBe(code);
    }
    expect(await historyOk(t, a, b)).toEqual([sent]);
  });

  test('a deleted message cannot be edited (409)', async () => {
    const [a, b] = await pair();
    const sent = await sendOk(t, a, b, 'soon gone');
    await deleteOk(t, a, sent._id);
    const res = await call(t, a, 'PATCH', `/api/messages/${sent._id}`, { message: 'revived' });
    expect(res.status).toBe(409);
    expect(codedErrorReply.parse(await res.json()).code).toBe('MESSAGES.MESSAGE_DELETED');
    expect((await storedMessage(t, sent._id))?.message).toBe('');
  });
});

describe('DELETE /api/messages/:messageId', () => {
  test('leaves a tombstone, erases the text from storage, publishes message.deleted, and is idempotent', async () => {
    const [a, b] = await pair();
    const keep = await sendOk(t, a, b, 'stays');
    const sent = await sendOk(t, a, b, 'a secret');
    const deleted = await deleteOk(t, a, sent._id);
    expect(deleted).toEqual({
      _id: sent._id,
      conversationId: sent.conversationId,
      deletedAt: deleted.deletedAt,
    });

    const stored = await storedMessage(t, sent._id);
    expect(stored?.message).toBe('');
    expect(JSON.stringify(stored)).not.toContain('a secret');

    const tombstone = { ...sent, message: '', deletedAt: deleted.deletedAt, updatedAt: deleted.deletedAt };
    expect(await historyOk(t, b, a)).toEqual([keep, tombstone]);
    expect((await conversationsOk(t, b))[0]).toMatchObject({ lastMessage: tombstone, unreadCount: 2 });

    const event = messageDeletedEvent.parse(await deletions.waitForEvent((e) => e.message._id === sent._id));
    expect(event.message).toEqual({
      _id: sent._id,
      conversationId: sent.conversationId,
      senderId: a,
      receiverId: b,
      message: '',
      createdAt: sent.createdAt,
      deletedAt: deleted.deletedAt,
    });

    expect(await deleteOk(t, a, sent._id)).toEqual(deleted);
    const later = await sendOk(t, a, b, 'sentinel');
    await deleteOk(t, a, later._id);
    await deletions.waitForEvent((e) => e.message._id === later._id);
    expect(deletions.events.filter((e) => e.message._id === sent._id)).toHaveLength(1);
  });

  test('an edited then deleted message keeps no text anywhere and its edit event is not published afterwards', async () => {
    const [a, b] = await pair();
    const sent = await sendOk(t, a, b, 'first words');
    await editOk(t, a, sent._id, 'second words');
    await deleteOk(t, a, sent._id);
    const stored = JSON.stringify(await storedMessage(t, sent._id));
    expect(stored).not.toContain('first words');
    expect(stored).not.toContain('second words');
    await deletions.waitForEvent((e) => e.message._id === sent._id);
    for (const e of updates.events.filter((u) => u.message._id === sent._id)) {
      expect(e.message.message).toBe('second words');
    }
  });

  test("someone else's message is 403, an unknown id 404, a malformed id 400; nothing changes", async () => {
    const [a, b] = await pair();
    const sent = await sendOk(t, a, b, 'keep me');
    const cases: Array<[string, string, number, string]> = [
      [b, sent._id, 403, 'MESSAGES.NOT_YOUR_MESSAGE'],
      [a, newObjectId(), 404, 'MESSAGES.MESSAGE_NOT_FOUND'],
      [a, 'zzz', 400, 'MESSAGES.INVALID_ID'],
      [a, sent._id.toUpperCase(), 400, 'MESSAGES.INVALID_ID'],
    ];
    for (const [caller, id, status, code] of cases) {
      const res = await call(t, caller, 'DELETE', `/api/messages/${id}`);
      expect(res.status, `${caller} ${id}`).toBe(status);
      expect(codedErrorReply.parse(await res.json()).code).toBe(code);
    }
    expect(await historyOk(t, a, b)).toEqual([sent]);
  });

  test('a send retried with its Idempotency-Key after a delete answers the tombstone', async () => {
    const [a, b] = await pair();
    const headers = { 'idempotency-key': `k-${newObjectId()}` };
    const sent = await sendOk(t, a, b, 'oops', headers);
    const deleted = await deleteOk(t, a, sent._id);
    expect(await sendOk(t, a, b, 'oops', headers)).toMatchObject({
      _id: sent._id,
      message: '',
      deletedAt: deleted.deletedAt,
    });
  });
});
