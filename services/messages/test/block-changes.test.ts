import { connectMongo } from '@chat/shared/mongo';
import { newObjectId, testEnv, uniqueName } from '@chat/shared/testing';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registerConversationModel } from '../src/data-access/conversation.model.js';
import {
  type ConversationRepository,
  createConversationRepository,
} from '../src/data-access/conversation.repository.js';
import { applyBlockChange } from '../src/domain/apply-block-change.js';

let connection: Connection;
let conversations: ConversationRepository;

beforeAll(async () => {
  connection = await connectMongo(testEnv().mongoUrl, uniqueName('test-messages-blocks'));
  const model = registerConversationModel(connection);
  await model.init();
  conversations = createConversationRepository(model);
});

afterAll(async () => {
  await connection?.dropDatabase();
  await connection?.close();
});

const change = (blockerId: string, blockedId: string, occurredAt: Date) => ({
  eventId: crypto.randomUUID(),
  occurredAt: occurredAt.toISOString(),
  blockerId,
  blockedId,
});

async function blockedBy(a: string, b: string): Promise<string[] | undefined> {
  const pairKey = [a, b].sort().join(':');
  const id = await conversations.findIdByPairKey(pairKey);
  return id ? (await conversations.findById(id))?.blockedBy : undefined;
}

describe('applying user.blocked / user.unblocked', () => {
  test('events applied out of order end in the state of the newest one, per blocker', async () => {
    const [a, b] = [newObjectId(), newObjectId()];
    const t0 = Date.now();
    await applyBlockChange(conversations, change(a, b, new Date(t0 + 2)), false);
    await applyBlockChange(conversations, change(a, b, new Date(t0 + 1)), true);
    expect(await blockedBy(a, b)).toEqual([]);
    await applyBlockChange(conversations, change(b, a, new Date(t0)), true);
    expect(await blockedBy(a, b)).toEqual([b]);
    await applyBlockChange(conversations, change(a, b, new Date(t0 + 3)), true);
    expect((await blockedBy(a, b))?.sort()).toEqual([a, b].sort());
  });

  test('redelivering the same event, even concurrently, changes nothing more', async () => {
    const [a, b] = [newObjectId(), newObjectId()];
    const block = change(a, b, new Date());
    await Promise.all(Array.from({ length: 5 }, () => applyBlockChange(conversations, block, true)));
    expect(await blockedBy(a, b)).toEqual([a]);
    const unblock = change(a, b, new Date(Date.now() + 1));
    await Promise.all(Array.from({ length: 5 }, () => applyBlockChange(conversations, unblock, false)));
    await applyBlockChange(conversations, block, true);
    expect(await blockedBy(a, b)).toEqual([]);
  });

  test('a self-block is ignored', async () => {
    const a = newObjectId();
    await applyBlockChange(conversations, change(a, a, new Date()), true);
    expect(await blockedBy(a, a)).toBeUndefined();
  });
});
