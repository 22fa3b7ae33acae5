import type { Collection } from '../collection.js';
import { compileQuery } from '../mingo-query.js';
import type { Doc } from '../types.js';
import { asDoc, type CommandHandler, targetCollection } from './command-context.js';

// Fields of a command that are protocol noise rather than collection options.
const GENERIC_FIELDS = new Set([
  'create',
  '$db',
  'lsid',
  'txnNumber',
  '$clusterTime',
  'writeConcern',
  '$readPreference',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
]);

function describeCollection(coll: Collection, nameOnly: boolean): Doc {
  if (nameOnly) return { name: coll.name, type: 'collection' };
  return {
    name: coll.name,
    type: 'collection',
    options: coll.options,
    info: { readOnly: false },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  };
}

function filtered(docs: Doc[], filter: unknown): Doc[] {
  const query = compileQuery(asDoc(filter));
  return docs.filter((d) => query.test(d));
}

const create: CommandHandler = (cmd, ctx) => {
  const name = targetCollection(cmd, 'create');
  const options = Object.fromEntries(Object.entries(cmd).filter(([k]) => !GENERIC_FIELDS.has(k)));
  // Like MongoDB 7, creating an existing collection again is not an error.
  if (!ctx.storage.get(ctx.db, name)) ctx.storage.create(ctx.db, name, options);
  return {};
};

const drop: CommandHandler = (cmd, ctx) => {
  const dropped = ctx.storage.drop(ctx.db, targetCollection(cmd, 'drop'));
  return dropped ? { ns: dropped.ns, nIndexesWas: dropped.indexes.size } : {};
};

const dropDatabase: CommandHandler = (_cmd, ctx) => {
  ctx.storage.dropDatabase(ctx.db);
  return { dropped: ctx.db };
};

const listCollections: CommandHandler = (cmd, ctx) => {
  const nameOnly = cmd.nameOnly === true;
  const all = ctx.storage.collections(ctx.db).map((c) => describeCollection(c, nameOnly));
  const docs = filtered(all, cmd.filter);
  return { cursor: ctx.cursors.open(`${ctx.db}.$cmd.listCollections`, docs, asDoc(cmd.cursor).batchSize) };
};

const listDatabases: CommandHandler = (cmd, ctx) => {
  const all = ctx.storage.databaseNames().map((name) => {
    const docs = ctx.storage.collections(name).reduce((n, c) => n + c.count, 0);
    return { name, sizeOnDisk: docs * 100, empty: docs === 0 };
  });
  const databases = filtered(all, cmd.filter);
  if (cmd.nameOnly === true) return { databases: databases.map((d) => ({ name: d.name })) };
  const totalSize = databases.reduce((n, d) => n + Number(d.sizeOnDisk), 0);
  return { databases, totalSize, totalSizeMb: Math.round(totalSize / 1024 / 1024) };
};

const dbStats: CommandHandler = (_cmd, ctx) => {
  const colls = ctx.storage.collections(ctx.db);
  const objects = colls.reduce((n, c) => n + c.count, 0);
  return {
    db: ctx.db,
    collections: colls.length,
    objects,
    indexes: colls.reduce((n, c) => n + c.indexes.size, 0),
  };
};

export const namespaceCommands: Record<string, CommandHandler> = {
  create,
  drop,
  dropDatabase,
  listCollections,
  listDatabases,
  dbStats,
};
