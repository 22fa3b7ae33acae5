import { eventSchemas } from '@chat/shared/events';
import { Types } from 'mongoose';
import { describe, expect, test } from 'vitest';
import type { ConversationRecord } from '../src/data-access/conversation.model.js';
import type { MessageOutboxEvent, MessageRecord } from '../src/data-access/message.model.js';
import { createOutboxStore } from '../src/data-access/message-outbox.store.js';
import type { EmbeddedOutbox } from '../src/data-access/outbox.repository.js';
import { createReadOutboxWatch } from '../src/domain/read-outbox-watch.js';

// Unit tests of the pure merge logic; the component tests cover the same store against the database.
const id = (n: number) => new Types.ObjectId(n.toString(16).padStart(24, '0'));
const user = (n: number) => id(1_000_000 + n);
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;

function message(
  n: number,
  events: Array<[number, MessageOutboxEvent['routingKey']]>,
  extra: Partial<MessageRecord> = {},
): MessageRecord {
  const at = new Date(1_700_000_000_000 + n);
  return {
    _id: id(n),
    conversationId: id(999),
    senderId: user(1),
    receiverId: user(2),
    message: `text ${n}`,
    eventId: uuid(n),
    publishedAt: null,
    createdAt: at,
    updatedAt: at,
    pendingEvents: events.map(([key, routingKey]) => ({
      _id: id(key),
      eventId: uuid(key),
      routingKey,
      occurredAt: at,
    })),
    outbox: true,
    outboxAt: id(Math.min(...events.map(([key]) => key))),
    ...extra,
  };
}

function read(conversation: number, key: number): ConversationRecord {
  const at = new Date(1_700_000_000_000 + key);
  return {
    _id: id(conversation),
    pairKey: 'a:b',
    participants: [user(1), user(2)],
    pendingEvents: [
      {
        _id: id(key),
        eventId: uuid(key),
        routingKey: 'conversation.read',
        occurredAt: at,
        readerId: user(2),
        peerId: user(1),
        upTo: id(1),
      },
    ],
    outbox: true,
    outboxAt: id(key),
    createdAt: at,
    updatedAt: at,
  };
}

function fakeOutbox<T extends { outboxAt?: Types.ObjectId }>(docs: T[]) {
  const settled: Array<{ docIds: string[]; eventKeys: string[] }> = [];
  const outbox: EmbeddedOutbox<T> = {
    pending: async (limit) =>
      [...docs]
        .sort((a, b) => (a.outboxAt?.toHexString() ?? '').localeCompare(b.outboxAt?.toHexString() ?? ''))
        .slice(0, limit),
    settle: async (docIds, eventKeys) => {
      if (docIds.length > 0) settled.push({ docIds, eventKeys });
    },
  };
  return { outbox, settled };
}

const keyOf = (entryId: string) => Number.parseInt(entryId.split(':')[2] ?? '', 16);

describe('the outbox store', () => {
  test('merges message and conversation events in write order, each payload valid for its schema', async () => {
    const messages = fakeOutbox([
      message(
        1,
        [
          [1, 'message.created'],
          [4, 'message.updated'],
        ],
        { editedAt: new Date() },
      ),
      message(2, [[2, 'message.created']]),
    ]);
    const conversations = fakeOutbox([read(50, 3)]);
    const store = createOutboxStore({ messages: messages.outbox, conversations: conversations.outbox });

    const entries = await store.pending(10);
    expect(entries.map((e) => [keyOf(e.id), e.routingKey])).toEqual([
      [1, 'message.created'],
      [2, 'message.created'],
      [3, 'conversation.read'],
      [4, 'message.updated'],
    ]);
    for (const e of entries) eventSchemas[e.routingKey].parse(e.payload);
  });

  test('releases only events older than the first document it did not read', async () => {
    const messages = fakeOutbox([
      message(1, [[1, 'message.created']]),
      message(2, [[2, 'message.created']]),
      message(4, [[4, 'message.created']]),
    ]);
    const conversations = fakeOutbox([read(50, 3)]);
    const store = createOutboxStore({ messages: messages.outbox, conversations: conversations.outbox });
    expect((await store.pending(2)).map((e) => keyOf(e.id))).toEqual([1, 2]);
  });

  test('a deleted message releases only its deletion; its pending creation and edit are settled unpublished', async () => {
    const deleted = message(
      7,
      [
        [7, 'message.created'],
        [8, 'message.updated'],
        [9, 'message.deleted'],
      ],
      { message: '', editedAt: new Date(), deletedAt: new Date() },
    );
    const messages = fakeOutbox([deleted]);
    const store = createOutboxStore({
      messages: messages.outbox,
      conversations: fakeOutbox<ConversationRecord>([]).outbox,
    });
    const entries = await store.pending(10);
    expect(entries.map((e) => e.routingKey)).toEqual(['message.deleted']);
    expect(eventSchemas['message.deleted'].parse(entries[0]?.payload).message.message).toBe('');
    expect(messages.settled).toEqual([
      {
        docIds: [id(7).toHexString(), id(7).toHexString()],
        eventKeys: [id(7).toHexString(), id(8).toHexString()],
      },
    ]);
  });

  test('markPublished settles each entry in its own collection', async () => {
    const messages = fakeOutbox([message(1, [[1, 'message.created']])]);
    const conversations = fakeOutbox([read(50, 3)]);
    const store = createOutboxStore({ messages: messages.outbox, conversations: conversations.outbox });
    await store.markPublished((await store.pending(10)).map((e) => e.id));
    expect(messages.settled).toEqual([{ docIds: [id(1).toHexString()], eventKeys: [id(1).toHexString()] }]);
    expect(conversations.settled).toEqual([
      { docIds: [id(50).toHexString()], eventKeys: [id(3).toHexString()] },
    ]);
  });

  test('with a read watch, looks at the conversations only while reads may be pending', async () => {
    const messages = fakeOutbox([message(1, [[1, 'message.created']])]);
    const docs: ConversationRecord[] = [];
    const conversations = fakeOutbox(docs);
    let looks = 0;
    const counted: EmbeddedOutbox<ConversationRecord> = {
      ...conversations.outbox,
      pending: (limit) => {
        looks += 1;
        return conversations.outbox.pending(limit);
      },
    };
    let clock = 0;
    const reads = createReadOutboxWatch(1_000, () => clock);
    const store = createOutboxStore({ messages: messages.outbox, conversations: counted, reads });

    await store.pending(10);
    await store.pending(10);
    expect(looks).toBe(1);

    // A read queued during a poll is merged into that very poll, in write order.
    const poll = store.pending(10);
    await reads.around(async () => {
      docs.push(read(50, 0));
    });
    expect((await poll).map((e) => [keyOf(e.id), e.routingKey])).toEqual([
      [0, 'conversation.read'],
      [1, 'message.created'],
    ]);
    // Still pending (nothing settled): looked at again, then no more once it is empty.
    await store.pending(10);
    docs.length = 0;
    await store.pending(10);
    await store.pending(10);
    expect(looks).toBe(4);

    clock = 1_000;
    await store.pending(10);
    expect(looks).toBe(5);
  });

  test('a handed-over message is published from memory; the database is read when something else was queued', async () => {
    const docs: MessageRecord[] = [];
    const messages = fakeOutbox(docs);
    let reads = 0;
    const counted: EmbeddedOutbox<MessageRecord> = {
      ...messages.outbox,
      pending: (limit) => {
        reads += 1;
        return messages.outbox.pending(limit);
      },
    };
    let clock = 0;
    const store = createOutboxStore({
      messages: counted,
      conversations: fakeOutbox<ConversationRecord>([]).outbox,
      now: () => clock,
    });
    expect(await store.pending(10)).toEqual([]);
    expect(reads).toBe(1);

    const at = new Date(1_700_000_000_000);
    const handed = {
      _id: id(5).toHexString(),
      conversationId: id(999).toHexString(),
      senderId: user(1).toHexString(),
      receiverId: user(2).toHexString(),
      message: 'from memory',
      eventId: uuid(5),
      seq: 1,
      peerSeq: 0,
      createdAt: at,
      updatedAt: at,
    };
    store.handOver(handed);
    const fromMemory = await store.pending(10);
    expect(reads).toBe(1);
    expect(fromMemory.map((e) => [keyOf(e.id), e.routingKey])).toEqual([[5, 'message.created']]);
    expect(eventSchemas['message.created'].parse(fromMemory[0]?.payload).message.message).toBe('from memory');
    await store.markPublished(fromMemory.map((e) => e.id));
    expect(messages.settled).toEqual([{ docIds: [id(5).toHexString()], eventKeys: [id(5).toHexString()] }]);

    // An edit was queued in the database: the next poll reads it, merged in write order with the hand-over.
    docs.push(message(3, [[4, 'message.updated']], { editedAt: at }));
    store.handOver({ ...handed, _id: id(6).toHexString(), eventId: uuid(6) });
    store.changed();
    expect((await store.pending(10)).map((e) => [keyOf(e.id), e.routingKey])).toEqual([
      [4, 'message.updated'],
      [6, 'message.created'],
    ]);
    expect(reads).toBe(2);

    // And at least once per second while hand-overs keep coming.
    store.handOver({ ...handed, _id: id(7).toHexString(), eventId: uuid(7) });
    clock = 1_000;
    await store.pending(10);
    expect(reads).toBe(3);
  });
});
