import { Binary, Decimal128, Long, ObjectId } from 'bson';
import fc from 'fast-check';
import type { Filter, FindOptions } from 'mongodb';
import { beforeAll, describe, expect, test } from 'vitest';
import { orderKey } from '../src/key-order.js';
import { useServerAndClient } from './helpers.js';
import {
  expectSameAsScan,
  explainPage,
  insertBoth,
  type TestCollection,
  type TestDoc,
  twinCollections,
} from './plan-helpers.js';

const ctx = useServerAndClient();

const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('order-preserving key encoding', () => {
  test('doubles (negative, zero, fractions, infinities) compare like numbers', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
        expect(order(orderKey(a), orderKey(b))).toBe(Math.sign(a - b) || (a === b ? 0 : Math.sign(a - b)));
      }),
    );
    expect(orderKey(-0)).toBe(orderKey(0));
    expect(orderKey(Number.NaN) < orderKey(Number.NEGATIVE_INFINITY)).toBe(true);
  });

  test('integers, longs and decimals of one value encode alike; types follow BSON order', () => {
    expect(orderKey(Long.fromNumber(42))).toBe(orderKey(42));
    expect(orderKey(Decimal128.fromString('42'))).toBe(orderKey(42));
    expect(orderKey(42n)).toBe(orderKey(42));
    // MinKey < null < numbers < strings < objects < arrays < binary < ObjectId < booleans < dates < regexes
    const ascending = [
      orderKey(null),
      orderKey(-1e300),
      orderKey(7),
      orderKey(''),
      orderKey('a'),
      orderKey('ab'),
      orderKey('b'),
      orderKey({ a: 1 }),
      orderKey([1]),
      orderKey(new Binary(Buffer.from([1]))),
      orderKey(new Binary(Buffer.from([0, 0]))),
      orderKey(new ObjectId('000000000000000000000000')),
      orderKey(new ObjectId('ffffffffffffffffffffffff')),
      orderKey(false),
      orderKey(true),
      orderKey(new Date(-1)),
      orderKey(new Date(0)),
      orderKey(new Date(1)),
      orderKey(/a/),
    ];
    expect([...ascending].sort(order)).toEqual(ascending);
    expect(orderKey(undefined)).toBe(orderKey(null));
  });

  test('ObjectIds compare by their bytes, strings by code units', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        (a, b) => {
          const x = new ObjectId(Buffer.from(a));
          const y = new ObjectId(Buffer.from(b));
          expect(order(orderKey(x), orderKey(y))).toBe(
            Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
          );
        },
      ),
    );
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(order(orderKey(a), orderKey(b))).toBe(order(a, b));
      }),
    );
  });
});

const CONVERSATIONS = 20;
const BIG = 10_000;

describe(`history pages walk { conversationId: 1, _id: -1 } in order (one conversation of ${BIG})`, () => {
  let indexed: TestCollection;
  let plain: TestCollection;
  const page = { sort: { _id: -1 }, limit: 50 } as const;

  beforeAll(async () => {
    [indexed, plain] = twinCollections(ctx.client(), 'order_history');
    await indexed.createIndex({ conversationId: 1, _id: -1 });
    const docs: TestDoc[] = [];
    for (let i = 0; i < BIG; i++) docs.push({ _id: i * CONVERSATIONS, conversationId: 'big', text: `m${i}` });
    for (let i = 0; i < 2_000; i++) {
      docs.push({ _id: i * CONVERSATIONS + 1 + (i % (CONVERSATIONS - 1)), conversationId: `c${i % 7}` });
    }
    await insertBoth(indexed, plain, docs);
  }, 60_000);

  test('the newest page and a page before a cursor read only the page', async () => {
    const newest = await expectSameAsScan(indexed, plain, { conversationId: 'big' }, page);
    expect(newest.map((m) => m._id)).toEqual(
      Array.from({ length: 50 }, (_, k) => (BIG - 1 - k) * CONVERSATIONS),
    );
    const filter = { conversationId: 'big', _id: { $lt: 1_000 * CONVERSATIONS } };
    const older = await expectSameAsScan(indexed, plain, filter, page);
    expect(older[0]?._id).toBe(999 * CONVERSATIONS);
    expect(await explainPage(indexed, filter, page)).toEqual({
      top: 'FETCH',
      stage: 'IXSCAN',
      indexName: 'conversationId_1__id_-1',
      direction: 'forward',
      docsExamined: 50,
    });
    // Unindexed field: the _id index still gives the order, but the walk reads other conversations too.
    const viaId = await explainPage(plain, filter, page);
    expect(viaId).toMatchObject({ top: 'FETCH', indexName: '_id_', direction: 'backward' });
    expect(viaId.docsExamined).toBeGreaterThan(50);
  });

  test('the opposite sort walks the index backwards; skip reads past the skipped documents only', async () => {
    const filter = { conversationId: 'big', _id: { $gt: 100 * CONVERSATIONS } };
    const options: FindOptions = { sort: { _id: 1 }, skip: 10, limit: 20 };
    const found = await expectSameAsScan(indexed, plain, filter, options);
    expect(found[0]?._id).toBe(111 * CONVERSATIONS);
    expect(await explainPage(indexed, filter, options)).toMatchObject({
      top: 'FETCH',
      direction: 'backward',
      docsExamined: 30,
    });
  });

  test('a sort on the pinned field too, a projection, and no limit still come off the index', async () => {
    const options: FindOptions = { sort: { conversationId: 1, _id: -1 }, projection: { text: 0 } };
    const all = await expectSameAsScan(indexed, plain, { conversationId: 'c3' }, options);
    expect(all.length).toBeGreaterThan(200);
    expect(all[0]).not.toHaveProperty('text');
    expect(await explainPage(indexed, { conversationId: 'c3' }, options)).toMatchObject({ top: 'FETCH' });
  });

  test('filters the index cannot bound are applied to each document read', async () => {
    const filter: Filter<TestDoc> = { conversationId: 'big', text: { $regex: /7$/ } };
    await expectSameAsScan(indexed, plain, filter, page);
    // Newest first: m9997 is the first match (3rd read), the 50th is m9507, ten messages apart.
    expect((await explainPage(indexed, filter, page)).docsExamined).toBe(BIG - (BIG - 3 - 49 * 10));
  });
});

describe('range scans', () => {
  let indexed: TestCollection;
  let plain: TestCollection;

  beforeAll(async () => {
    [indexed, plain] = twinCollections(ctx.client(), 'order_range');
    await indexed.createIndex({ v: 1 });
    // Numbers of several shapes, with strings, dates, nulls and missing values mixed in.
    const values: unknown[] = [-5.5, -1, 0, 0.25, 1, 2, 2, 3.75, 10, 1e9, 'a', 'b', new Date(5), null];
    const docs = Array.from({ length: 700 }, (_, i) => {
      const v = values[i % (values.length + 1)];
      return i % (values.length + 1) === values.length ? { _id: i } : { _id: i, v };
    });
    await insertBoth(indexed, plain, docs);
  });

  const ranges: Array<Filter<TestDoc>> = [
    { v: { $gt: 0 } },
    { v: { $gte: 0 } },
    { v: { $lt: 2 } },
    { v: { $lte: 2 } },
    { v: { $gt: -1, $lte: 3.75 } },
    { v: { $gte: 2, $lt: 2 } },
    { v: { $gt: 'a' } },
    { v: { $lte: 'b' } },
    { v: { $gte: new Date(0) } },
    { v: { $gt: 0, $ne: 2 } },
  ];

  const ofValue = (docs: TestDoc[]) => docs.map((d) => d.v);

  test.each(ranges)('%o matches a scan in both directions, type-bracketed like mongod', async (filter) => {
    for (const direction of [1, -1] as const) {
      // Ties on v come in index order (record ids), so whole results compare with _id as the last key.
      await expectSameAsScan(indexed, plain, filter, { sort: { v: direction, _id: 1 } });
      const options: FindOptions = { sort: { v: direction }, limit: 7 };
      const page = await indexed.find(filter, options).toArray();
      expect(ofValue(page)).toEqual(ofValue(await plain.find(filter, options).toArray()));
      const plan = await explainPage(indexed, filter, options);
      expect(plan).toMatchObject({ top: 'FETCH', indexName: 'v_1' });
      // Bounded: only the range's own documents are read.
      expect(plan.docsExamined).toBe(page.length === 7 ? 7 : await plain.countDocuments(filter));
    }
  });

  test('without a filter the sort walks the whole index, nulls and missing first', async () => {
    const empty = await plain.countDocuments({ v: null });
    const found = await indexed.find({}, { sort: { v: 1 }, limit: empty + 1 }).toArray();
    expect(found.slice(0, empty).every((d) => d.v === null || d.v === undefined)).toBe(true);
    expect(found[empty]?.v).toBe(-5.5);
  });
});

describe('compound directions and ties', () => {
  let indexed: TestCollection;
  let plain: TestCollection;

  beforeAll(async () => {
    [indexed, plain] = twinCollections(ctx.client(), 'order_dirs');
    await indexed.createIndex({ a: 1, b: -1 });
    const docs = Array.from({ length: 400 }, (_, i) => ({ _id: i, a: i % 5, b: (i * 7) % 13, c: i % 3 }));
    await insertBoth(indexed, plain, docs);
  });

  test('{a: 1, b: -1} and its reverse come off the index; {a: 1, b: 1} is sorted in memory', async () => {
    const cases: Array<[Record<string, 1 | -1>, string, string]> = [
      [{ a: 1, b: -1, _id: 1 }, 'SORT', ''],
      [{ a: 1, b: -1 }, 'FETCH', 'forward'],
      [{ a: -1, b: 1 }, 'FETCH', 'backward'],
      [{ a: 1, b: 1 }, 'SORT', ''],
      [{ b: -1 }, 'FETCH', 'forward'],
    ];
    for (const [sort, top, direction] of cases) {
      const filter = sort.a === undefined ? { a: 3 } : {};
      const found = await indexed.find(filter, { sort }).toArray();
      const expected = await plain.find(filter, { sort }).toArray();
      const key = (d: TestDoc) => `${String(d.a)}/${String(d.b)}`;
      expect(found.map(key), JSON.stringify(sort)).toEqual(expected.map(key));
      expect(new Set(found.map((d) => d._id))).toEqual(new Set(expected.map((d) => d._id)));
      const plan = await explainPage(indexed, filter, { sort });
      expect(plan.top, JSON.stringify(sort)).toBe(top);
      if (direction) expect(plan.direction).toBe(direction);
    }
  });

  test('ties come in insertion order forwards and in reverse backwards, like record ids on mongod', async () => {
    const forward = await indexed.find({ a: 2 }, { sort: { b: -1 } }).toArray();
    const run = forward.filter((d) => d.b === 4).map((d) => d._id);
    expect(run.length).toBeGreaterThan(3);
    expect(run).toEqual([...run].sort((x, y) => x - y));
    const backward = await indexed.find({ a: 2 }, { sort: { b: 1 } }).toArray();
    expect(backward.filter((d) => d.b === 4).map((d) => d._id)).toEqual([...run].reverse());
    // Pages cut inside a run of ties neither lose nor repeat documents.
    const pages = [0, 10, 20, 30, 40, 50, 60, 70, 80].map((skip) =>
      indexed.find({ a: 2 }, { sort: { b: -1 }, skip, limit: 10 }).toArray(),
    );
    expect((await Promise.all(pages)).flat()).toEqual(forward);
  });
});

describe('updates and deletes keep the order right', () => {
  let indexed: TestCollection;
  let plain: TestCollection;
  const pages: Array<[Filter<TestDoc>, FindOptions]> = [
    [{ conv: 'x' }, { sort: { at: -1 }, limit: 25 }],
    [
      { conv: 'x', at: { $lt: 150 } },
      { sort: { at: -1 }, limit: 25 },
    ],
    [{ conv: 'y' }, { sort: { at: 1 } }],
    [{ conv: 'x' }, { sort: { at: 1 }, limit: 500 }],
  ];

  async function expectPagesMatch(): Promise<void> {
    for (const [filter, options] of pages) {
      await expectSameAsScan(indexed, plain, filter, options);
      expect((await explainPage(indexed, filter, options)).top).toBe('FETCH');
    }
  }

  async function both(change: (c: TestCollection) => Promise<unknown>): Promise<void> {
    await change(indexed);
    await change(plain);
  }

  beforeAll(async () => {
    [indexed, plain] = twinCollections(ctx.client(), 'order_writes');
    await indexed.createIndex({ conv: 1, at: -1 });
    const docs = Array.from({ length: 600 }, (_, i) => ({ _id: i, conv: i % 2 ? 'x' : 'y', at: i }));
    await insertBoth(indexed, plain, docs);
  });

  test('moving documents along the sort field, between prefixes, deleting and re-inserting', async () => {
    await expectPagesMatch();
    for (const [i, id] of [599, 597, 3].entries()) {
      await both((c) => c.updateOne({ _id: id }, { $set: { at: -10 - i } }));
    }
    await expectPagesMatch();
    await both((c) => c.updateOne({ _id: 101 }, { $set: { conv: 'y', at: 10_000 } }));
    await both((c) => c.updateOne({ _id: 100 }, { $set: { conv: 'x', at: 10_001 } }));
    await expectPagesMatch();
    await both((c) => c.deleteMany({ at: { $gte: 500, $lt: 560 } }));
    await both((c) => c.replaceOne({ _id: 7 }, { conv: 'x', at: 149.5 }));
    await both((c) => c.insertMany([{ _id: 5_000, conv: 'x', at: 149.25 }]));
    await expectPagesMatch();
    const top = await indexed.find({ conv: 'x' }, { sort: { at: -1 }, limit: 2 }).toArray();
    expect(top.map((d) => d._id)).toEqual([100, 595]);
  });

  test('findOneAndUpdate and deleteOne with a sort take the first document in index order', async () => {
    const claimed = await indexed.findOneAndUpdate(
      { conv: 'x' },
      { $set: { at: -100 } },
      { sort: { at: -1 }, returnDocument: 'before' },
    );
    expect(claimed?._id).toBe(100);
    await plain.updateOne({ _id: 100 }, { $set: { at: -100 } });
    const removed = await indexed.findOneAndDelete({ conv: 'x' }, { sort: { at: 1 } });
    expect(removed?._id).toBe(100);
    await plain.deleteOne({ _id: 100 });
    await expectPagesMatch();
  });
});

describe('unique, sparse and multikey indexes', () => {
  test('a unique index rejects duplicates, frees keys on update and delete, and walks in order', async () => {
    const [coll] = twinCollections(ctx.client(), 'order_unique');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.createIndex({ team: 1, rank: -1 }, { unique: true });
    await coll.insertMany([
      { _id: 1, email: 'c@x', team: 't', rank: 1 },
      { _id: 2, email: 'a@x', team: 't', rank: 2 },
      { _id: 3, email: 'b@x', team: 'u', rank: 1 },
    ]);
    await expect(coll.insertOne({ _id: 4, email: 'a@x', team: 'v', rank: 1 })).rejects.toMatchObject({
      code: 11000,
      keyValue: { email: 'a@x' },
    });
    await expect(coll.insertOne({ _id: 4, email: 'd@x', team: 't', rank: 2 })).rejects.toMatchObject({
      code: 11000,
      keyValue: { team: 't', rank: 2 },
    });
    await coll.updateOne({ _id: 2 }, { $set: { email: 'z@x' } });
    await coll.insertOne({ _id: 4, email: 'a@x', team: 't', rank: 3 });
    await coll.deleteOne({ _id: 1 });
    await coll.insertOne({ _id: 5, email: 'c@x', team: 't', rank: 1 });
    const byEmail = await coll.find({}, { sort: { email: 1 } }).toArray();
    expect(byEmail.map((d) => d.email)).toEqual(['a@x', 'b@x', 'c@x', 'z@x']);
    const team = await coll.find({ team: 't' }, { sort: { rank: -1 } }).toArray();
    expect(team.map((d) => d._id)).toEqual([4, 2, 5]);
    expect(await explainPage(coll, { team: 't' }, { sort: { rank: -1 } })).toMatchObject({
      top: 'FETCH',
      indexName: 'team_1_rank_-1',
      docsExamined: 3,
    });
    // A full unique key is a point lookup, whatever the sort.
    expect(await explainPage(coll, { email: 'a@x' }, { sort: { _id: 1 } })).toMatchObject({
      indexName: 'email_1',
      docsExamined: 1,
    });
  });

  test('a sparse index is not walked where it would miss documents without the field', async () => {
    const [indexed, plain] = twinCollections(ctx.client(), 'order_sparse');
    await indexed.createIndex({ s: 1 }, { sparse: true });
    await insertBoth(
      indexed,
      plain,
      Array.from({ length: 50 }, (_, i) => (i % 3 ? { _id: i, s: i } : { _id: i })),
    );
    await expectSameAsScan(indexed, plain, {}, { sort: { s: 1, _id: 1 } });
    expect(await explainPage(indexed, {}, { sort: { s: 1 }, limit: 5 })).toMatchObject({ top: 'SORT' });
  });

  test('a multikey prefix is walked in order; a multikey sort field is sorted in memory', async () => {
    const [indexed, plain] = twinCollections(ctx.client(), 'order_multikey');
    await indexed.createIndex({ participants: 1, last: -1 });
    await indexed.createIndex({ tags: 1 });
    const docs = Array.from({ length: 300 }, (_, i) => ({
      _id: i,
      participants: [`u${i % 10}`, `u${(i + 3) % 10}`],
      last: (i * 37) % 301,
      tags: [i % 4, (i * 3) % 7],
    }));
    await insertBoth(indexed, plain, docs);
    const filter = { participants: 'u4', last: { $lt: 200 } };
    const options: FindOptions = { sort: { last: -1 }, limit: 10 };
    await expectSameAsScan(indexed, plain, filter, options);
    expect(await explainPage(indexed, filter, options)).toMatchObject({ top: 'FETCH', docsExamined: 10 });
    await expectSameAsScan(indexed, plain, {}, { sort: { tags: 1, _id: 1 }, limit: 20 });
    expect(await explainPage(indexed, {}, { sort: { tags: 1 }, limit: 20 })).toMatchObject({ top: 'SORT' });
  });
});
