import { connectMongo } from '@chat/shared/mongo';
import { newObjectId, testEnv, uniqueName } from '@chat/shared/testing';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MessageRecord } from '../src/data-access/message.model.js';
import { type MessageModel, registerMessageModel } from '../src/data-access/message.model.js';
import { createMessageRepository, type MessageRepository } from '../src/data-access/message.repository.js';
import { createMessageOutboxRepository, type EmbeddedOutbox } from '../src/data-access/outbox.repository.js';

let connection: Connection;
let model: MessageModel;
let messages: MessageRepository;
let outbox: EmbeddedOutbox<MessageRecord>;

beforeAll(async () => {
  connection = await connectMongo(testEnv().mongoUrl, uniqueName('test-messages-outbox'));
  model = registerMessageModel(connection);
  await model.init();
  messages = createMessageRepository(model);
  outbox = createMessageOutboxRepository(model);
});

afterAll(async () => {
  await connection?.dropDatabase();
  await connection?.close();
});

async function storeOne(): Promise<string> {
  const _id = messages.newId();
  const result = await messages.insert({
    _id,
    conversationId: newObjectId(),
    senderId: newObjectId(),
    receiverId: newObjectId(),
    message: 'hello',
    seq: 1,
    peerSeq: 0,
  });
  if (!result.inserted) throw new Error('not inserted');
  return _id;
}

const raw = (id: string) => model.findById(id).lean<MessageRecord>();

describe('the messages outbox in the database', () => {
  test('an edit queued after the relay read the message survives the settling of what it read', async () => {
    const id = await storeOne();
    const read = (await outbox.pending(1_000)).find((d) => d._id.toHexString() === id);
    const createdKey = read?.pendingEvents?.[0]?._id.toHexString() ?? '';
    const message = await raw(id);
    await messages.edit(id, message?.senderId.toHexString() ?? '', 'edited', new Date());

    await outbox.settle([id], [createdKey]);
    const after = await raw(id);
    expect(after?.publishedAt).toBeInstanceOf(Date);
    expect(after?.outbox).toBe(true);
    expect(after?.pendingEvents?.map((e) => e.routingKey)).toEqual(['message.updated']);
    // The bound now points at the edit, no longer at the settled creation.
    expect(after?.outboxAt?.toHexString()).toBe(after?.pendingEvents?.[0]?._id.toHexString());

    await outbox.settle([id], [after?.pendingEvents?.[0]?._id.toHexString() ?? '']);
    const done = await raw(id);
    expect(done?.outbox).toBeUndefined();
    expect(done?.outboxAt).toBeUndefined();
    expect((await outbox.pending(1_000)).some((d) => d._id.toHexString() === id)).toBe(false);
  });
});
