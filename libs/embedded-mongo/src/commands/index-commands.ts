import { CommandError, failedToParse } from '../errors.js';
import { defaultIndexName, type IndexSpec } from '../index-spec.js';
import { encodeKey } from '../key-encoding.js';
import { type Doc, isPlainObject } from '../types.js';
import { asDoc, type CommandHandler, targetCollection } from './command-context.js';

// Options mongod keeps with an index; `background` and the like are accepted and dropped.
const KEPT_OPTIONS = [
  'unique',
  'sparse',
  'partialFilterExpression',
  'expireAfterSeconds',
  'collation',
  'hidden',
];

function toSpec(raw: Doc): IndexSpec {
  if (!isPlainObject(raw.key) || Object.keys(raw.key).length === 0) {
    throw failedToParse("The 'key' field of an index specification must be a non-empty object");
  }
  const spec: IndexSpec = {
    v: 2,
    key: raw.key,
    name: typeof raw.name === 'string' ? raw.name : defaultIndexName(raw.key),
  };
  for (const option of KEPT_OPTIONS) {
    if (raw[option] !== undefined && !(option === 'unique' && raw.unique === false))
      spec[option] = raw[option];
  }
  return spec;
}

function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  return KEPT_OPTIONS.every((o) => encodeKey(a[o]) === encodeKey(b[o]));
}

/** True when an identical index exists; throws mongod's conflict errors for near-duplicates. */
function alreadyExists(spec: IndexSpec, existing: IndexSpec[]): boolean {
  const sameName = existing.find((s) => s.name === spec.name);
  if (sameName) {
    if (encodeKey(sameName.key) !== encodeKey(spec.key)) {
      throw new CommandError(
        86,
        'IndexKeySpecsConflict',
        `An existing index has the same name as the requested index but different keys. Requested index: ${describe(spec)}, existing index: ${describe(sameName)}`,
      );
    }
    if (!sameOptions(sameName, spec)) {
      throw new CommandError(
        85,
        'IndexOptionsConflict',
        `An existing index has the same name as the requested index but different options. Requested index: ${describe(spec)}, existing index: ${describe(sameName)}`,
      );
    }
    return true;
  }
  const sameKey = existing.find((s) => encodeKey(s.key) === encodeKey(spec.key) && sameOptions(s, spec));
  if (sameKey) {
    throw new CommandError(
      85,
      'IndexOptionsConflict',
      `Index already exists with a different name: ${sameKey.name}`,
    );
  }
  return false;
}

function describe(spec: IndexSpec): string {
  return JSON.stringify(spec);
}

const createIndexes: CommandHandler = (cmd, ctx) => {
  const name = targetCollection(cmd, 'createIndexes');
  const createdCollectionAutomatically = !ctx.storage.get(ctx.db, name);
  const coll = ctx.storage.getOrCreate(ctx.db, name);
  const numIndexesBefore = coll.indexes.size;
  const raws = Array.isArray(cmd.indexes) ? cmd.indexes.map(asDoc) : [];
  for (const spec of raws.map(toSpec)) {
    if (
      !alreadyExists(
        spec,
        [...coll.indexes.values()].map((i) => i.spec),
      )
    )
      coll.createIndex(spec);
  }
  const numIndexesAfter = coll.indexes.size;
  return {
    numIndexesBefore,
    numIndexesAfter,
    createdCollectionAutomatically,
    ...(numIndexesAfter === numIndexesBefore ? { note: 'all indexes already exist' } : {}),
  };
};

const listIndexes: CommandHandler = (cmd, ctx) => {
  const coll = ctx.storage.require(ctx.db, targetCollection(cmd, 'listIndexes'));
  const specs = [...coll.indexes.values()].map((i) => i.spec);
  return { cursor: ctx.cursors.open(coll.ns, specs, asDoc(cmd.cursor).batchSize) };
};

function namesToDrop(index: unknown, specs: IndexSpec[]): string[] {
  if (index === '*') return specs.map((s) => s.name).filter((n) => n !== '_id_');
  if (Array.isArray(index)) return index.flatMap((i) => namesToDrop(i, specs));
  if (typeof index === 'string') {
    if (!specs.some((s) => s.name === index)) {
      throw new CommandError(27, 'IndexNotFound', `index not found with name [${index}]`);
    }
    return [index];
  }
  const match = specs.find((s) => encodeKey(s.key) === encodeKey(index));
  if (!match)
    throw new CommandError(27, 'IndexNotFound', `can't find index with key: ${JSON.stringify(index)}`);
  return [match.name];
}

const dropIndexes: CommandHandler = (cmd, ctx) => {
  const coll = ctx.storage.require(ctx.db, targetCollection(cmd, 'dropIndexes'));
  const nIndexesWas = coll.indexes.size;
  const names = namesToDrop(
    cmd.index,
    [...coll.indexes.values()].map((i) => i.spec),
  );
  if (names.includes('_id_')) throw new CommandError(72, 'InvalidOptions', 'cannot drop _id index');
  for (const name of names) coll.indexes.delete(name);
  return { nIndexesWas };
};

export const indexCommands: Record<string, CommandHandler> = {
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
};
