import { describe, expect, test } from 'vitest';
import { uniqueDbName, useServerAndClient } from './helpers.js';

const ctx = useServerAndClient();

describe('mongodb driver: cursors and namespaces', () => {
  test('a 250-document sorted query arrives over several getMore batches in order', async () => {
    const coll = ctx.client().db(uniqueDbName('cursor')).collection('rows');
    await coll.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const rows = await coll.find({}, { batchSize: 40 }).sort({ i: -1 }).toArray();
    expect(rows.map((r) => r.i)).toEqual(Array.from({ length: 250 }, (_, i) => 249 - i));
  });

  test('closing a cursor early kills it on the server; getMore on it then fails with CursorNotFound', async () => {
    const database = ctx.client().db(uniqueDbName('cursor'));
    const coll = database.collection('rows');
    await coll.insertMany(Array.from({ length: 30 }, (_, i) => ({ i })));
    const reply = await database.command({ find: 'rows', batchSize: 5 });
    const cursorId = reply.cursor.id;
    const killed = await database.command({ killCursors: 'rows', cursors: [cursorId] });
    expect(killed.cursorsKilled).toHaveLength(1);
    await expect(database.command({ getMore: cursorId, collection: 'rows' })).rejects.toMatchObject({
      code: 43,
    });
  });

  test('unknown commands answer CommandNotFound (code 59) and the connection keeps working', async () => {
    const database = ctx.client().db(uniqueDbName('unknown'));
    await expect(database.command({ frobnicate: 1 })).rejects.toMatchObject({
      code: 59,
      codeName: 'CommandNotFound',
      message: "no such command: 'frobnicate'",
    });
    expect(await database.command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  test('transactions are refused as on a standalone mongod', async () => {
    const coll = ctx.client().db(uniqueDbName('txn')).collection('t');
    const session = ctx.client().startSession();
    try {
      session.startTransaction();
      // The driver rewrites mongod's code 20 (IllegalOperation) into this message on a standalone.
      await expect(coll.insertOne({ a: 1 }, { session })).rejects.toThrow(
        /does not support retryable writes/,
      );
    } finally {
      await session.endSession();
    }
  });

  test('create, listCollections, drop, listDatabases and dropDatabase', async () => {
    const name = uniqueDbName('ns');
    const database = ctx.client().db(name);
    await database.createCollection('explicit');
    await database.createCollection('explicit');
    await database.collection('implicit').insertOne({ a: 1 });
    const collections = (await database.listCollections().toArray()).map((c) => c.name).sort();
    const dbs = (await ctx.client().db('admin').admin().listDatabases()).databases.map((d) => d.name);
    await database.collection('implicit').drop();
    const afterDrop = (await database.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    await database.dropDatabase();
    const afterDropDb = (await ctx.client().db('admin').admin().listDatabases()).databases.map((d) => d.name);
    expect(collections).toEqual(['explicit', 'implicit']);
    expect(dbs).toContain(name);
    expect(afterDrop).toEqual(['explicit']);
    expect(afterDropDb).not.toContain(name);
  });

  test('buildInfo and hello describe a writable MongoDB 7.0 standalone', async () => {
    const admin = ctx.client().db('admin');
    const info = await admin.command({ buildInfo: 1 });
    const hello = await admin.command({ hello: 1 });
    expect(info.version).toBe('7.0.0');
    expect(hello).toMatchObject({
      isWritablePrimary: true,
      maxWireVersion: 21,
      logicalSessionTimeoutMinutes: 30,
    });
    expect(hello.compression).toBeUndefined();
  });

  test('forty concurrent clients write and read without mixing replies', async () => {
    const { MongoClient } = await import('mongodb');
    const dbName = uniqueDbName('concurrent');
    const clients = await Promise.all(
      Array.from({ length: 40 }, () => MongoClient.connect(ctx.server().uri, { maxPoolSize: 3 })),
    );
    try {
      const results = await Promise.all(
        clients.map(async (client, n) => {
          const coll = client.db(dbName).collection('c');
          await coll.insertMany(Array.from({ length: 20 }, (_, i) => ({ n, i })));
          const mine = await coll.find({ n }).sort({ i: 1 }).toArray();
          return mine.map((d) => `${d.n}:${d.i}`).join(',');
        }),
      );
      results.forEach((line, n) => {
        expect(line).toBe(Array.from({ length: 20 }, (_, i) => `${n}:${i}`).join(','));
      });
      expect(await clients[0]?.db(dbName).collection('c').countDocuments()).toBe(800);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
