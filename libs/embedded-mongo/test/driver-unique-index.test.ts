import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import { describe, expect, test } from 'vitest';
import { uniqueDbName, useServerAndClient } from './helpers.js';

const ctx = useServerAndClient();
const db = () => ctx.client().db(uniqueDbName('unique'));

describe('mongodb driver: unique indexes', () => {
  test('a duplicate on a single-field unique index fails with 11000, keyPattern and keyValue', async () => {
    const database = db();
    const coll = database.collection('users');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertOne({ email: 'a@x' });
    const error = await coll.insertOne({ email: 'a@x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({
      code: 11000,
      keyPattern: { email: 1 },
      keyValue: { email: 'a@x' },
      message: `E11000 duplicate key error collection: ${database.databaseName}.users index: email_1 dup key: { email: "a@x" }`,
    });
  });

  test('a compound unique index rejects only the full duplicate combination', async () => {
    const coll = db().collection('members');
    await coll.createIndex({ room: 1, user: 1 }, { unique: true, name: 'room_user' });
    await coll.insertMany([
      { room: 'r1', user: 1 },
      { room: 'r1', user: 2 },
      { room: 'r2', user: 1 },
    ]);
    const error = await coll.insertOne({ room: 'r1', user: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 11000,
      keyPattern: { room: 1, user: 1 },
      keyValue: { room: 'r1', user: 2 },
    });
    expect(await coll.countDocuments()).toBe(3);
  });

  test('duplicate _id is rejected on the _id_ index', async () => {
    const coll = db().collection<{ _id: string }>('ids');
    await coll.insertOne({ _id: 'same' });
    await expect(coll.insertOne({ _id: 'same' })).rejects.toMatchObject({
      code: 11000,
      keyValue: { _id: 'same' },
    });
  });

  test('ordered insertMany stops at the first duplicate; unordered inserts the rest', async () => {
    const coll = db().collection('batch');
    await coll.createIndex({ k: 1 }, { unique: true });
    const docs = () => [{ k: 1 }, { k: 1 }, { k: 2 }];
    const ordered = await coll.insertMany(docs()).catch((e: unknown) => e);
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    expect(await coll.countDocuments()).toBe(1);
    await coll.deleteMany({});
    const unordered = await coll.insertMany(docs(), { ordered: false }).catch((e: unknown) => e);
    expect(unordered).toBeInstanceOf(MongoBulkWriteError);
    expect((unordered as MongoBulkWriteError).writeErrors).toMatchObject([{ index: 1, code: 11000 }]);
    expect(await coll.countDocuments()).toBe(2);
  });

  test('updates and upserts that would duplicate a key fail and leave the document unchanged', async () => {
    const coll = db().collection('upd');
    await coll.createIndex({ name: 1 }, { unique: true });
    await coll.insertMany([
      { name: 'a', v: 1 },
      { name: 'b', v: 1 },
    ]);
    await expect(coll.updateOne({ name: 'b' }, { $set: { name: 'a', v: 2 } })).rejects.toMatchObject({
      code: 11000,
      keyValue: { name: 'a' },
    });
    await expect(
      coll.updateOne({ name: 'c' }, { $set: { name: 'a' } }, { upsert: true }),
    ).rejects.toMatchObject({
      code: 11000,
    });
    expect(
      await coll
        .find({}, { projection: { _id: 0 } })
        .sort({ name: 1 })
        .toArray(),
    ).toEqual([
      { name: 'a', v: 1 },
      { name: 'b', v: 1 },
    ]);
  });

  test('findOneAndUpdate reports the duplicate as a command error with keyPattern/keyValue', async () => {
    const coll = db().collection('fam');
    await coll.createIndex({ slug: 1 }, { unique: true });
    await coll.insertMany([{ slug: 'x' }, { slug: 'y' }]);
    const error = await coll
      .findOneAndUpdate({ slug: 'y' }, { $set: { slug: 'x' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 11000, keyPattern: { slug: 1 }, keyValue: { slug: 'x' } });
  });

  test('sparse unique ignores documents without the field; partial unique only covers its filter', async () => {
    const coll = db().collection('sparse');
    await coll.createIndex({ nick: 1 }, { unique: true, sparse: true });
    await coll.createIndex({ code: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await coll.insertMany([{ a: 1 }, { a: 2 }, { code: 'c', active: false }, { code: 'c', active: true }]);
    await expect(coll.insertOne({ nick: 'n' })).resolves.toBeTruthy();
    await expect(coll.insertOne({ nick: 'n' })).rejects.toMatchObject({ code: 11000 });
    await expect(coll.insertOne({ code: 'c', active: true })).rejects.toMatchObject({ code: 11000 });
  });

  test('creating a unique index over existing duplicates fails; list and drop indexes', async () => {
    const coll = db().collection('idx');
    await coll.insertMany([
      { d: 1, e: 1 },
      { d: 1, e: 2 },
    ]);
    await expect(coll.createIndex({ d: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    await coll.createIndex({ e: 1 }, { unique: true });
    await coll.createIndex({ e: 1 }, { unique: true });
    await expect(coll.createIndex({ e: -1 }, { name: 'e_1' })).rejects.toMatchObject({ code: 86 });
    const names = (await coll.listIndexes().toArray()).map((i) => i.name);
    await coll.dropIndex('e_1');
    await expect(coll.dropIndex('nope')).rejects.toMatchObject({ code: 27 });
    expect(names).toEqual(['_id_', 'e_1']);
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    await expect(coll.insertOne({ e: 1 })).resolves.toBeTruthy();
    await expect(coll.createIndex({ e: 1 }, { unique: true })).rejects.toMatchObject({
      code: 11000,
      keyValue: { e: 1 },
    });
  });
});
