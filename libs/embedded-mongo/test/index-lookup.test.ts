import type { Collection, Filter } from 'mongodb';
import { beforeAll, describe, expect, test } from 'vitest';
import { uniqueDbName, useServerAndClient } from './helpers.js';
import { explainFind } from './plan-helpers.js';

const ctx = useServerAndClient();
const TOTAL = 100_000;
interface BigDoc {
  _id: number;
  email: string;
  team: number;
  rank: number;
  free: number;
}

let coll: Collection<BigDoc>;

const plan = (filter: Filter<BigDoc>) => explainFind(coll, filter);

beforeAll(async () => {
  coll = ctx.client().db(uniqueDbName('index')).collection<BigDoc>('big');
  await coll.createIndex({ email: 1 }, { unique: true });
  await coll.createIndex({ team: 1, rank: 1 });
  const docs: BigDoc[] = Array.from({ length: TOTAL }, (_, i) => ({
    _id: i,
    email: `u${i}@x`,
    team: i % 100,
    rank: i,
    free: i,
  }));
  await coll.insertMany(docs);
}, 60_000);

describe(`equality lookups over ${TOTAL} documents`, () => {
  test('a point query on a unique field reads one document through its hash index', async () => {
    const found = await coll.findOne({ email: 'u77777@x' });
    expect(found?._id).toBe(77777);
    expect(await plan({ email: 'u77777@x' })).toEqual({
      stage: 'IXSCAN',
      indexName: 'email_1',
      docsExamined: 1,
    });
  });

  test('_id lookups, $in lists and compound equality also avoid the scan', async () => {
    expect(await plan({ _id: 4242 })).toEqual({ stage: 'IDHACK', indexName: '_id_', docsExamined: 1 });
    expect(await plan({ email: { $in: ['u1@x', 'u2@x', 'missing'] } })).toMatchObject({ docsExamined: 2 });
    expect(await plan({ team: 7, rank: 507 })).toEqual({
      stage: 'IXSCAN',
      indexName: 'team_1_rank_1',
      docsExamined: 1,
    });
  });

  test('a query on an unindexed field scans, which shows the counter measures real work', async () => {
    expect(await plan({ free: 5 })).toEqual({ stage: 'COLLSCAN', indexName: undefined, docsExamined: TOTAL });
  });

  test('index entries follow updates and deletes', async () => {
    await coll.updateOne({ email: 'u10@x' }, { $set: { email: 'renamed@x' } });
    await coll.deleteOne({ email: 'u11@x' });
    expect(await coll.findOne({ email: 'u10@x' })).toBeNull();
    expect((await coll.findOne({ email: 'renamed@x' }))?._id).toBe(10);
    expect(await coll.findOne({ email: 'u11@x' })).toBeNull();
    expect(await plan({ email: 'renamed@x' })).toMatchObject({ stage: 'IXSCAN', docsExamined: 1 });
  });
});
