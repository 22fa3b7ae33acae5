import type { Collection } from '../collection.js';
import { failedToParse, toCommandError } from '../errors.js';
import { projectDocs } from '../projection.js';
import { type Doc, isPlainObject } from '../types.js';
import { runDelete, runUpdate, type UpdateStatement } from '../write-ops.js';
import {
  asDoc,
  asNumber,
  type CommandContext,
  type CommandHandler,
  targetCollection,
} from './command-context.js';

function statements(cmd: Doc, field: string): Doc[] {
  const value = cmd[field];
  if (!Array.isArray(value)) throw failedToParse(`BSON field '${field}' is missing but a required field`);
  return value.map(asDoc);
}

/** Runs each statement, collecting writeErrors; ordered batches stop at the first failure. */
function runBatch(cmd: Doc, items: Doc[], run: (item: Doc, index: number) => void): Doc[] {
  const ordered = cmd.ordered !== false;
  const writeErrors: Doc[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      run(items[i] as Doc, i);
    } catch (error) {
      writeErrors.push(toCommandError(error).toWriteError(i));
      if (ordered) break;
    }
  }
  return writeErrors;
}

function collectionGetter(cmd: Doc, name: string, ctx: CommandContext) {
  const collName = targetCollection(cmd, name);
  return (create: boolean): Collection | undefined =>
    create ? ctx.storage.getOrCreate(ctx.db, collName) : ctx.storage.get(ctx.db, collName);
}

const insert: CommandHandler = (cmd, ctx) => {
  const docs = statements(cmd, 'documents');
  const coll = ctx.storage.getOrCreate(ctx.db, targetCollection(cmd, 'insert'));
  let n = 0;
  const writeErrors = runBatch(cmd, docs, (doc) => {
    coll.insert(doc);
    n++;
  });
  return { n, ...(writeErrors.length > 0 ? { writeErrors } : {}) };
};

function toStatement(raw: Doc): UpdateStatement {
  return {
    q: asDoc(raw.q),
    u: raw.u,
    upsert: raw.upsert === true,
    multi: raw.multi === true,
    arrayFilters: Array.isArray(raw.arrayFilters) ? raw.arrayFilters.map(asDoc) : undefined,
    sort: isPlainObject(raw.sort) ? raw.sort : undefined,
  };
}

const update: CommandHandler = (cmd, ctx) => {
  const getCollection = collectionGetter(cmd, 'update', ctx);
  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  const writeErrors = runBatch(cmd, statements(cmd, 'updates'), (raw, index) => {
    const outcome = runUpdate(getCollection, toStatement(raw));
    n += outcome.matched + (outcome.upserted ? 1 : 0);
    nModified += outcome.modified;
    if (outcome.upserted) upserted.push({ index, _id: outcome.upserted._id });
  });
  return {
    n,
    nModified,
    ...(upserted.length > 0 ? { upserted } : {}),
    ...(writeErrors.length > 0 ? { writeErrors } : {}),
  };
};

const remove: CommandHandler = (cmd, ctx) => {
  const getCollection = collectionGetter(cmd, 'delete', ctx);
  let n = 0;
  const writeErrors = runBatch(cmd, statements(cmd, 'deletes'), (raw) => {
    n += runDelete(getCollection(false), asDoc(raw.q), asNumber(raw.limit)).length;
  });
  return { n, ...(writeErrors.length > 0 ? { writeErrors } : {}) };
};

const findAndModify: CommandHandler = (cmd, ctx) => {
  const name = cmd.findAndModify !== undefined ? 'findAndModify' : 'findandmodify';
  const getCollection = collectionGetter(cmd, name, ctx);
  const filter = asDoc(cmd.query);
  const fields = isPlainObject(cmd.fields) ? cmd.fields : undefined;
  if (cmd.remove === true) {
    const [removed] = runDelete(getCollection(false), filter, 1, cmd.sort);
    return { lastErrorObject: { n: removed ? 1 : 0 }, value: project(removed ?? null, fields) };
  }
  if (cmd.update === undefined) throw failedToParse('Either an update or remove=true must be specified');
  const stmt = toStatement({
    q: filter,
    u: cmd.update,
    upsert: cmd.upsert,
    arrayFilters: cmd.arrayFilters,
    sort: cmd.sort,
  });
  const outcome = runUpdate(getCollection, stmt);
  const change = outcome.changes[0];
  const value = change ? (cmd.new === true ? change.after : change.before) : null;
  const lastErrorObject: Doc = { n: change ? 1 : 0, updatedExisting: outcome.matched > 0 };
  if (outcome.upserted) lastErrorObject.upserted = outcome.upserted._id;
  return { lastErrorObject, value: project(value, fields) };
};

function project(doc: Doc | null, fields: Doc | undefined): Doc | null {
  if (!doc || !fields || Object.keys(fields).length === 0) return doc;
  return projectDocs([doc], fields)[0] ?? null;
}

export const writeCommands: Record<string, CommandHandler> = {
  insert,
  update,
  delete: remove,
  findAndModify,
  findandmodify: findAndModify,
};
