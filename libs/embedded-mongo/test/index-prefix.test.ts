import { beforeAll, describe, expect, test } from 'vitest';
import { uniqueDbName, useServerAndClient } from './helpers.js';
import {
  expectSameAsScan,
  explainFind,
  insertBoth,
  type TestCollection,
  type TestDoc,
} from './plan-helpers.js';

const ctx = useServerAndClient();
const TOTAL = 20_000;
const CONVERSATIONS = 100;
const PER_CONVERSATION = TOTAL / CONVERSATIONS;

describe(`history reads on a { conversationId: 1, _id: -1 } index over ${TOTAL} messages`, () => {
  let messages: TestCollection;
  let plain: TestCollection;

  beforeAll(async () => {
    const db = ctx.client().db(uniqueDbName('prefix'));
    messages = db.collection<TestDoc>('messages');
    plain = db.collection<TestDoc>('messages_unindexed');
    await messages.createIndex({ conversationId: 1, _id: -1 });
    const docs = Array.from({ length: TOTAL }, (_, i) => ({
      _id: i,
      conversationId: `c${i % CONVERSATIONS}`,
      senderId: `u${i % 7}`,
      text: `m${i}`,
    }));
    await insertBoth(messages, plain, docs);
  }, 60_000);

  test('a page before a cursor matches a scan and examines only that conversation', async () => {
    const filter = { conversationId: 'c42', _id: { $lt: 12_042 } };
    const page = await expectSameAsScan(messages, plain, filter, { sort: { _id: -1 }, limit: 50 });
    const expectedIds = Array.from({ length: 50 }, (_, k) => 11_942 - k * CONVERSATIONS);
    expect(page.map((m) => m._id)).toEqual(expectedIds);
    expect(await explainFind(messages, filter)).toEqual({
      stage: 'IXSCAN',
      indexName: 'conversationId_1__id_-1',
      docsExamined: PER_CONVERSATION,
    });
    expect(await explainFind(plain, filter)).toMatchObject({ stage: 'COLLSCAN', docsExamined: TOTAL });
  });

  test('$in on the prefix reads the listed conversations only', async () => {
    const filter = { conversationId: { $in: ['c1', 'c2', 'missing'] } };
    const found = await expectSameAsScan(messages, plain, filter);
    expect(found).toHaveLength(2 * PER_CONVERSATION);
    expect(await explainFind(messages, filter)).toMatchObject({
      stage: 'IXSCAN',
      docsExamined: 2 * PER_CONVERSATION,
    });
  });

  test('prefix buckets follow updates and deletes', async () => {
    await messages.updateMany({ _id: { $in: [7, 107] } }, { $set: { conversationId: 'moved' } });
    await plain.updateMany({ _id: { $in: [7, 107] } }, { $set: { conversationId: 'moved' } });
    await messages.deleteMany({ _id: { $in: [207, 307] } });
    await plain.deleteMany({ _id: { $in: [207, 307] } });
    await expectSameAsScan(messages, plain, { conversationId: 'c7' }, { sort: { _id: -1 } });
    await expectSameAsScan(messages, plain, { conversationId: 'moved' });
    expect(await explainFind(messages, { conversationId: 'c7' })).toMatchObject({
      docsExamined: PER_CONVERSATION - 4,
    });
    expect(await explainFind(messages, { conversationId: 'moved' })).toMatchObject({ docsExamined: 2 });
  });

  test('the index pinning the most fields wins, and a full unique key still wins over it', async () => {
    const db = ctx.client().db(uniqueDbName('prefix_pick'));
    const coll = db.collection<TestDoc>('m');
    await coll.createIndex({ conversationId: 1 });
    await coll.createIndex({ conversationId: 1, senderId: 1, _id: 1 });
    await coll.insertMany(
      Array.from({ length: 300 }, (_, i) => ({
        _id: i,
        conversationId: `c${i % 3}`,
        senderId: `u${i % 10}`,
      })),
    );
    expect(await explainFind(coll, { conversationId: 'c1', senderId: 'u1' })).toEqual({
      stage: 'IXSCAN',
      indexName: 'conversationId_1_senderId_1__id_1',
      docsExamined: 10,
    });
    expect(await explainFind(coll, { conversationId: 'c1', _id: 31 })).toEqual({
      stage: 'IDHACK',
      indexName: '_id_',
      docsExamined: 1,
    });
  });
});

describe('outbox scans on a { publishedAt: 1, _id: 1 } index', () => {
  let outbox: TestCollection;
  let plain: TestCollection;
  const pending = { publishedAt: null };
  const page = { sort: { _id: 1 }, limit: 100 } as const;

  beforeAll(async () => {
    const db = ctx.client().db(uniqueDbName('outbox'));
    outbox = db.collection<TestDoc>('outbox');
    plain = db.collection<TestDoc>('outbox_unindexed');
    await outbox.createIndex({ publishedAt: 1, _id: 1 });
    const docs = Array.from({ length: 3_000 }, (_, i) => {
      // Every 10th is pending with an explicit null, every 15th has no field at all; both match null.
      if (i % 10 === 0) return { _id: i, publishedAt: null };
      if (i % 15 === 0) return { _id: i };
      return { _id: i, publishedAt: new Date(1_700_000_000_000 + i) };
    });
    await insertBoth(outbox, plain, docs);
  }, 60_000);

  async function pendingCount(): Promise<number> {
    return plain.countDocuments(pending);
  }

  test('{ publishedAt: null } examines only the unpublished documents', async () => {
    const first = await expectSameAsScan(outbox, plain, pending, page);
    expect(first.map((d) => d._id).slice(0, 4)).toEqual([0, 10, 15, 20]);
    const expected = await pendingCount();
    expect(expected).toBe(300 + 100);
    expect(await explainFind(outbox, pending)).toEqual({
      stage: 'IXSCAN',
      indexName: 'publishedAt_1__id_1',
      docsExamined: expected,
    });
  });

  test('publishing and deleting move documents out of the pending bucket', async () => {
    const publish = { $set: { publishedAt: new Date() } };
    const toPublish = { _id: { $in: [0, 10, 15, 20, 30] } };
    await outbox.updateMany(toPublish, publish);
    await plain.updateMany(toPublish, publish);
    await outbox.deleteMany({ _id: { $in: [40, 45] } });
    await plain.deleteMany({ _id: { $in: [40, 45] } });
    const first = await expectSameAsScan(outbox, plain, pending, page);
    expect(first.map((d) => d._id).slice(0, 3)).toEqual([50, 60, 70]);
    expect(await explainFind(outbox, pending)).toMatchObject({
      stage: 'IXSCAN',
      docsExamined: await pendingCount(),
    });
    expect(await pendingCount()).toBe(400 - 7);
  });
});
