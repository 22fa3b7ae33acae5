import type { Collection, Document, Filter, FindOptions, MongoClient } from 'mongodb';
import { expect } from 'vitest';
import { uniqueDbName } from './helpers.js';

/** Test documents use numeric ids so expected pages can be computed in the test. */
export interface TestDoc {
  _id: number;
  [field: string]: unknown;
}

export type TestCollection = Collection<TestDoc>;

export interface PlanSummary {
  stage: string;
  indexName?: string;
  docsExamined: number;
}

/** The access path and documents examined that `explain` reports for a find filter. */
export async function explainFind<T extends Document>(
  coll: Collection<T>,
  filter: Filter<T>,
): Promise<PlanSummary> {
  const explained = await coll.find(filter).explain('executionStats');
  const inputStage = explained.queryPlanner.winningPlan.inputStage;
  return {
    stage: inputStage.stage,
    indexName: inputStage.indexName,
    docsExamined: explained.executionStats.totalDocsExamined,
  };
}

/** Runs the same find on the indexed collection and on an unindexed copy and expects equal results. */
export async function expectSameAsScan(
  indexed: TestCollection,
  plain: TestCollection,
  filter: Filter<TestDoc>,
  options: FindOptions = {},
): Promise<TestDoc[]> {
  const viaIndex = await indexed.find(filter, options).toArray();
  const viaScan = await plain.find(filter, options).toArray();
  expect(viaIndex).toEqual(viaScan);
  return viaIndex;
}

/** An `indexed` collection and its unindexed twin `plain`, in a fresh database named after `name`. */
export function twinCollections(client: MongoClient, name: string): [TestCollection, TestCollection] {
  const db = client.db(uniqueDbName(name));
  return [db.collection<TestDoc>('indexed'), db.collection<TestDoc>('plain')];
}

/** Inserts the same documents into both collections (copies, since the driver adds `_id` in place). */
export async function insertBoth(a: TestCollection, b: TestCollection, docs: TestDoc[]) {
  await a.insertMany(docs.map((d) => ({ ...d })));
  await b.insertMany(docs.map((d) => ({ ...d })));
}

export interface OrderedPlanSummary {
  /** The top stage: SORT when the order was made in memory, FETCH when it came off the index. */
  top: string;
  stage: string;
  indexName?: string;
  direction?: string;
  docsExamined: number;
}

/** What `explain` reports for a find with its sort, skip and limit. */
export async function explainPage(
  coll: TestCollection,
  filter: Filter<TestDoc>,
  options: FindOptions,
): Promise<OrderedPlanSummary> {
  const explained = await coll.find(filter, options).explain('executionStats');
  const top = explained.queryPlanner.winningPlan;
  const fetch = top.stage === 'SORT' ? top.inputStage : top;
  const input = fetch.inputStage;
  return {
    top: top.stage,
    stage: input.stage,
    ...(input.indexName ? { indexName: input.indexName } : {}),
    ...(input.direction ? { direction: input.direction } : {}),
    docsExamined: explained.executionStats.totalDocsExamined,
  };
}
