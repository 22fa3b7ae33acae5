import { ObjectId } from 'mongodb';
import { describe, expect, test } from 'vitest';
import { uniqueDbName, useServerAndClient } from './helpers.js';

interface OpsDoc {
  a: number;
  b?: string;
  n: number;
  tags: string[];
  low: number;
  high: number;
  grades: Array<{ g: number; top?: boolean }>;
}

const ctx = useServerAndClient();
const db = () => ctx.client().db(uniqueDbName('crud'));

describe('mongodb driver: CRUD', () => {
  test('insert assigns an ObjectId _id first and keeps Date and nested values intact', async () => {
    const coll = db().collection('items');
    const when = new Date('2024-01-02T03:04:05.678Z');
    const { insertedId } = await coll.insertOne({ name: 'a', when, nested: { n: 1.5, list: [1, 'x'] } });
    const found = await coll.findOne({ _id: insertedId });
    expect(insertedId).toBeInstanceOf(ObjectId);
    expect(Object.keys(found ?? {})[0]).toBe('_id');
    expect(found).toEqual({ _id: insertedId, name: 'a', when, nested: { n: 1.5, list: [1, 'x'] } });
  });

  test('find applies filter, sort, projection, skip and limit', async () => {
    const coll = db().collection('people');
    await coll.insertMany([
      { name: 'ann', age: 31, city: 'x' },
      { name: 'bob', age: 25, city: 'y' },
      { name: 'cid', age: 40, city: 'x' },
      { name: 'dan', age: 35, city: 'x' },
    ]);
    const rows = await coll
      .find({ city: 'x', age: { $gte: 31 } }, { projection: { _id: 0, name: 1 } })
      .sort({ age: -1 })
      .skip(1)
      .limit(1)
      .toArray();
    expect(rows).toEqual([{ name: 'dan' }]);
  });

  test('update operators: $set $unset $inc $push $pull $addToSet $min $max and arrayFilters', async () => {
    const coll = db().collection<OpsDoc>('ops');
    const { insertedId: _id } = await coll.insertOne({
      a: 1,
      b: 'gone',
      n: 5,
      tags: ['x'],
      low: 10,
      high: 10,
      grades: [{ g: 80 }, { g: 95 }],
    });
    await coll.updateOne(
      { _id },
      { $set: { a: 2 }, $unset: { b: '' }, $inc: { n: 3 }, $push: { tags: 'y' } },
    );
    await coll.updateOne({ _id }, { $addToSet: { tags: 'x' }, $min: { low: 3 }, $max: { high: 20 } });
    await coll.updateOne({ _id }, { $pull: { tags: 'y' } });
    await coll.updateOne(
      { _id },
      { $set: { 'grades.$[big].top': true } },
      { arrayFilters: [{ 'big.g': { $gt: 90 } }] },
    );
    expect(await coll.findOne({ _id }, { projection: { _id: 0 } })).toEqual({
      a: 2,
      n: 8,
      tags: ['x'],
      low: 3,
      high: 20,
      grades: [{ g: 80 }, { g: 95, top: true }],
    });
  });

  test('positional $ updates the matched array element; pipeline updates compute from fields', async () => {
    const coll = db().collection('positional');
    await coll.insertMany([
      {
        k: 1,
        items: [
          { id: 'a', q: 1 },
          { id: 'b', q: 1 },
        ],
      },
      { k: 2, a: 5, b: 6 },
    ]);
    await coll.updateOne({ k: 1, 'items.id': 'b' }, { $inc: { 'items.$.q': 10 } });
    await coll.updateOne({ k: 2 }, [{ $set: { sum: { $add: ['$a', '$b'] } } }]);
    const rows = await coll
      .find({}, { projection: { _id: 0 } })
      .sort({ $natural: -1 })
      .toArray();
    expect(rows).toEqual([
      { k: 2, a: 5, b: 6, sum: 11 },
      {
        k: 1,
        items: [
          { id: 'a', q: 1 },
          { id: 'b', q: 11 },
        ],
      },
    ]);
  });

  test('updateMany touches every match; replaceOne keeps _id; nModified counts real changes', async () => {
    const coll = db().collection('multi');
    await coll.insertMany([
      { k: 1, v: 0 },
      { k: 1, v: 0 },
      { k: 2, v: 0 },
    ]);
    const many = await coll.updateMany({ k: 1 }, { $set: { v: 1 } });
    const noop = await coll.updateMany({ k: 1 }, { $set: { v: 1 } });
    const target = await coll.findOne({ k: 2 });
    await coll.replaceOne({ k: 2 }, { replaced: true });
    expect([many.matchedCount, many.modifiedCount, noop.matchedCount, noop.modifiedCount]).toEqual([
      2, 2, 2, 0,
    ]);
    expect(await coll.findOne({ replaced: true })).toEqual({ _id: target?._id, replaced: true });
  });

  test('upsert seeds the equality fields of the query and applies $setOnInsert only on insert', async () => {
    const coll = db().collection('upserts');
    const first = await coll.updateOne(
      { email: 'a@x', 'profile.kind': 'basic', age: { $gt: 3 } },
      { $set: { seen: 1 }, $setOnInsert: { created: true } },
      { upsert: true },
    );
    await coll.updateOne(
      { email: 'a@x' },
      { $set: { seen: 2 }, $setOnInsert: { created: false } },
      { upsert: true },
    );
    const doc = await coll.findOne({ _id: first.upsertedId ?? undefined }, { projection: { _id: 0 } });
    expect(first.upsertedCount).toBe(1);
    expect(doc).toEqual({ email: 'a@x', profile: { kind: 'basic' }, seen: 2, created: true });
  });

  test('an update may not change _id, and conflicting operators on one path are rejected', async () => {
    const database = db();
    const coll = database.collection<{ _id: ObjectId; v: number; tags: number[] }>('immutable');
    await coll.insertOne({ _id: new ObjectId(), v: 1, tags: [] });
    await expect(coll.updateOne({ v: 1 }, { $set: { _id: new ObjectId() } })).rejects.toMatchObject({
      code: 66,
    });
    const replaced = await database.command({
      update: 'immutable',
      updates: [{ q: { v: 1 }, u: { _id: new ObjectId(), v: 2 } }],
    });
    expect(replaced.writeErrors).toMatchObject([{ index: 0, code: 66 }]);
    await expect(coll.updateOne({ v: 1 }, { $push: { tags: 1 }, $pull: { tags: 2 } })).rejects.toMatchObject({
      code: 40,
    });
  });

  test('findOneAndUpdate / findOneAndDelete / findOneAndReplace honour sort, projection and returnDocument', async () => {
    const coll = db().collection('fam');
    await coll.insertMany([
      { q: 1, r: 'a' },
      { q: 2, r: 'a' },
      { q: 3, r: 'a' },
    ]);
    const before = await coll.findOneAndUpdate(
      { r: 'a' },
      { $inc: { q: 10 } },
      { sort: { q: -1 }, projection: { _id: 0, q: 1 } },
    );
    const after = await coll.findOneAndUpdate(
      { q: 1 },
      { $set: { r: 'b' } },
      { returnDocument: 'after', projection: { _id: 0 } },
    );
    const removed = await coll.findOneAndDelete({ r: 'a' }, { sort: { q: 1 } });
    const upserted = await coll.findOneAndUpdate(
      { q: 99 },
      { $set: { r: 'z' } },
      { upsert: true, returnDocument: 'after' },
    );
    const missing = await coll.findOneAndReplace({ q: 1000 }, { q: 1001 });
    expect(before).toEqual({ q: 3 });
    expect(after).toEqual({ q: 1, r: 'b' });
    expect(removed?.q).toBe(2);
    expect(upserted).toMatchObject({ q: 99, r: 'z' });
    expect(missing).toBeNull();
    expect(await coll.countDocuments()).toBe(3);
  });

  test('deleteOne removes one match, deleteMany removes all', async () => {
    const coll = db().collection('deletes');
    await coll.insertMany([{ t: 1 }, { t: 1 }, { t: 1 }, { t: 2 }]);
    const one = await coll.deleteOne({ t: 1 });
    const many = await coll.deleteMany({ t: 1 });
    expect([one.deletedCount, many.deletedCount, await coll.countDocuments()]).toEqual([1, 2, 1]);
  });

  test('count, distinct and aggregate with $match/$group/$sort/$project/$lookup/$count', async () => {
    const database = db();
    const authors = database.collection('authors');
    const books = database.collection('books');
    const { insertedIds } = await authors.insertMany([{ name: 'le guin' }, { name: 'banks' }]);
    await books.insertMany([
      { author: insertedIds[0], title: 'a', tags: ['sf', 'classic'], pages: 300 },
      { author: insertedIds[0], title: 'b', tags: ['sf'], pages: 200 },
      { author: insertedIds[1], title: 'c', tags: ['space'], pages: 450 },
    ]);
    const perAuthor = await books
      .aggregate([
        { $match: { pages: { $gte: 200 } } },
        { $group: { _id: '$author', pages: { $sum: '$pages' }, n: { $sum: 1 } } },
        { $lookup: { from: 'authors', localField: '_id', foreignField: '_id', as: 'who' } },
        { $project: { _id: 0, name: { $first: '$who.name' }, pages: 1, n: 1 } },
        { $sort: { pages: -1 } },
      ])
      .toArray();
    const counted = await books.aggregate([{ $match: { tags: 'sf' } }, { $count: 'total' }]).toArray();
    expect(perAuthor).toEqual([
      { pages: 500, n: 2, name: 'le guin' },
      { pages: 450, n: 1, name: 'banks' },
    ]);
    expect(counted).toEqual([{ total: 2 }]);
    expect(await books.countDocuments({ pages: { $lt: 400 } })).toBe(2);
    expect(await books.estimatedDocumentCount()).toBe(3);
    expect((await books.distinct('tags')).sort()).toEqual(['classic', 'sf', 'space']);
  });
});
