import { connectMongo } from '@chat/shared/mongo';
import { testEnv, uniqueName } from '@chat/shared/testing';
import type { Connection, mongo } from 'mongoose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isDuplicateKey } from '../src/data-access/duplicate-key.js';
import { createInsertBatcher } from '../src/data-access/insert-batcher.js';

let connection: Connection;
const collection = 'batched';

beforeAll(async () => {
  connection = await connectMongo(testEnv().mongoUrl, uniqueName('test-messages-inserts'));
  await connection.db?.collection(collection).createIndex({ key: 1 }, { unique: true });
});

afterAll(async () => {
  await connection?.dropDatabase();
  await connection?.close();
});

/** The batcher's database, counting the commands it is asked for. */
function countingDb() {
  const counted = { commands: 0 };
  const db = () => {
    counted.commands++;
    const current = connection.db;
    if (!current) throw new Error('not connected');
    return current as mongo.Db;
  };
  return { db, counted };
}

describe('coalesced inserts', () => {
  test('concurrent inserts share commands; each is stored or refused on its own', async () => {
    const { db, counted } = countingDb();
    const insert = createInsertBatcher(db, collection);
    const run = uniqueName('run');
    const docs = Array.from({ length: 40 }, (_, i) => ({ key: `${run}-${i}`, i }));
    // The same unique key twice: one of the two is refused, nothing else is.
    docs.push({ key: `${run}-7`, i: 40 });

    const outcomes = await Promise.allSettled(docs.map((doc) => insert(doc)));

    const refused = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [{ i, reason: o.reason }] : []));
    expect(refused).toHaveLength(1);
    expect(isDuplicateKey(refused[0]?.reason)).toBe(true);
    const stored = await connection.db
      ?.collection(collection)
      .countDocuments({ key: { $regex: `^${run}-` } });
    expect(stored).toBe(40);
    // The first insert went out alone; the others waited for it and went out together.
    expect(counted.commands).toBeGreaterThanOrEqual(2);
    expect(counted.commands).toBeLessThan(docs.length / 4);
  });

  test('an insert issued when none is in flight goes out at once, and each batch waits for the previous one', async () => {
    const { db, counted } = countingDb();
    const insert = createInsertBatcher(db, collection);
    const run = uniqueName('single');
    await insert({ key: `${run}-a` });
    await insert({ key: `${run}-b` });
    expect(counted.commands).toBe(2);
  });

  test('when the command itself fails, every insert of its batch is rejected', async () => {
    const insert = createInsertBatcher(() => {
      throw new Error('MongoDB is not connected');
    }, collection);
    const outcomes = await Promise.allSettled([insert({ key: 'x' }), insert({ key: 'y' })]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});
