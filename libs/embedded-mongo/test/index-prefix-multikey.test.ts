import type { Filter } from 'mongodb';
import { beforeAll, describe, expect, test } from 'vitest';
import { useServerAndClient } from './helpers.js';
import {
  expectSameAsScan,
  explainFind,
  insertBoth,
  type TestCollection,
  type TestDoc,
  twinCollections,
} from './plan-helpers.js';

const ctx = useServerAndClient();

// Arrays, duplicates inside arrays, empty arrays, nulls, missing fields and subdocument arrays.
function shapedDoc(i: number): TestDoc {
  const shapes: Array<Record<string, unknown>> = [
    { tags: ['a', 'b'], n: [1, 2] },
    { tags: ['a', 'a', 'c'], n: 3 },
    { tags: [], n: 4 },
    { tags: 'a', n: null },
    { n: 5 },
    { tags: null },
    { tags: [null, 'b'], n: [6, 6] },
    { tags: [['a'], 'd'], n: 7 },
    { items: [{ k: 'x', v: 1 }, { k: 'y' }, { v: 2 }], n: 8 },
    { items: [{ k: 'x' }, { k: 'x' }], n: 9 },
    { items: { k: 'y' }, n: 10 },
  ];
  return { _id: i, ...shapes[i % shapes.length], group: i % 4 };
}

describe('prefix lookups on multikey compound indexes', () => {
  let indexed: TestCollection;
  let plain: TestCollection;
  const filters: Filter<TestDoc>[] = [
    { tags: 'a' },
    { tags: 'b', n: { $gt: 1 } },
    { tags: { $in: ['c', 'd'] } },
    { tags: { $eq: 'a' }, group: 1 },
    { tags: null },
    { tags: { $in: [null, 'c'] } },
    { 'items.k': 'x' },
    { 'items.k': 'y' },
    { 'items.k': null },
  ];

  beforeAll(async () => {
    [indexed, plain] = twinCollections(ctx.client(), 'multikey');
    await indexed.createIndex({ tags: 1, n: 1, group: 1 });
    await indexed.createIndex({ 'items.k': 1, _id: 1 });
    await insertBoth(
      indexed,
      plain,
      Array.from({ length: 1_100 }, (_, i) => shapedDoc(i)),
    );
  });

  test('every filter returns what a scan returns, in natural and in sorted order', async () => {
    for (const filter of filters) {
      await expectSameAsScan(indexed, plain, filter);
      await expectSameAsScan(indexed, plain, filter, { sort: { _id: -1 }, limit: 20 });
      expect((await explainFind(indexed, filter)).stage).toBe('IXSCAN');
    }
    expect(await explainFind(indexed, { tags: 'a' })).toMatchObject({
      indexName: 'tags_1_n_1_group_1',
      docsExamined: await plain.countDocuments({ tags: 'a' }),
    });
  });

  test('updates and deletes of multikey documents leave no stale prefix entries', async () => {
    const change = { $set: { tags: ['c'], 'items.0.k': 'z' } };
    for (const coll of [indexed, plain]) {
      await coll.updateMany({ _id: { $in: [0, 1, 8, 9] } }, change);
      await coll.updateOne({ _id: 11 }, { $set: { tags: ['b', 'a', 'a'] } });
      await coll.deleteMany({ _id: { $in: [12, 13, 19, 20] } });
    }
    for (const filter of filters) await expectSameAsScan(indexed, plain, filter);
    for (const tag of ['a', 'c']) {
      expect(await explainFind(indexed, { tags: tag })).toMatchObject({
        docsExamined: await plain.countDocuments({ tags: tag }),
      });
    }
  });
});

describe('sparse and partial compound indexes', () => {
  let indexed: TestCollection;
  let plain: TestCollection;

  beforeAll(async () => {
    [indexed, plain] = twinCollections(ctx.client(), 'sparse');
    await indexed.createIndex({ s: 1, n: 1 }, { sparse: true });
    await indexed.createIndex({ p: 1, n: 1 }, { partialFilterExpression: { n: { $gt: 10 } } });
    const docs = Array.from({ length: 200 }, (_, i) => {
      const doc: TestDoc = { _id: i, n: i % 20 };
      if (i % 3 === 0) doc.s = i % 2;
      if (i % 5 === 0) doc.p = 'x';
      return doc;
    });
    await insertBoth(indexed, plain, docs);
  });

  test('a sparse index serves non-null prefixes but never null, which would miss documents', async () => {
    const byValue = await expectSameAsScan(indexed, plain, { s: 1 });
    expect(byValue.length).toBeGreaterThan(0);
    expect(await explainFind(indexed, { s: 1 })).toMatchObject({ stage: 'IXSCAN', indexName: 's_1_n_1' });
    const missing = await expectSameAsScan(indexed, plain, { s: null });
    expect(missing).toHaveLength(200 - 67);
    expect(await explainFind(indexed, { s: null })).toMatchObject({ stage: 'COLLSCAN' });
    await expectSameAsScan(indexed, plain, { s: { $in: [0, null] } });
    expect((await explainFind(indexed, { s: { $in: [0, null] } })).stage).toBe('COLLSCAN');
  });

  test('a partial index is not used, so documents outside its filter are still found', async () => {
    const found = await expectSameAsScan(indexed, plain, { p: 'x' });
    expect(found.some((d) => typeof d.n === 'number' && d.n <= 10)).toBe(true);
    expect(await explainFind(indexed, { p: 'x' })).toMatchObject({ stage: 'COLLSCAN' });
  });
});
