import { Aggregator, update } from 'mingo';
import type { Modifier } from 'mingo/updater';
import { cloneDeep, setValue } from 'mingo/util';
import { CommandError, failedToParse } from './errors.js';
import { encodeKey } from './key-encoding.js';
import { compileOperatorUpdate, type DocumentUpdate } from './operator-update.js';
import { type Doc, isOperatorDoc, isPlainObject } from './types.js';

/** How a matched (or freshly seeded) document changes under an update's `u`. */
export interface UpdateInput {
  u: unknown;
  arrayFilters?: Doc[];
  /** The query filter, needed for the positional `$` operator. */
  filter?: Doc;
}

function isPipeline(u: unknown): u is Doc[] {
  return Array.isArray(u);
}

/** A replacement document has no `$`-prefixed top-level keys. */
export function isReplacement(u: unknown): u is Doc {
  return isPlainObject(u) && Object.keys(u).every((k) => !k.startsWith('$'));
}

/**
 * What `input` does to each document of one statement, worked out on first use (an invalid update fails
 * then, as before, and not at all when nothing matched) and reused for every further document.
 */
export function compileUpdate(input: UpdateInput, inserting = false): DocumentUpdate {
  let compiled: DocumentUpdate | undefined;
  return (doc) => {
    compiled ??= buildUpdate(input, inserting);
    return compiled(doc);
  };
}

function buildUpdate(input: UpdateInput, inserting: boolean): DocumentUpdate {
  const { u } = input;
  if (isPipeline(u)) {
    return (doc) => {
      const [result] = new Aggregator(u, {}).run([cloneDeep(doc)]) as Doc[];
      const next = { _id: doc._id, ...(result ?? {}) };
      return { doc: next, modified: encodeKey(next) !== encodeKey(doc) };
    };
  }
  if (isReplacement(u)) {
    return (doc) => {
      const next = { _id: u._id === undefined ? doc._id : u._id, ...u };
      return { doc: next, modified: encodeKey(next) !== encodeKey(doc) };
    };
  }
  if (!isPlainObject(u) || Object.keys(u).length === 0) {
    throw failedToParse('Update document requires atomic operators');
  }
  if (!isOperatorDoc(u)) throw failedToParse('Update document mixes operators and fields');
  const modifier = toModifier(u, inserting);
  if (Object.keys(modifier).length === 0) return (doc) => ({ doc, modified: false });
  const compiled = compileOperatorUpdate(modifier);
  if (compiled) return compiled;
  // Positional paths need the filter; everything else here goes through mingo as a whole.
  const condition = inserting ? undefined : input.filter;
  return (doc) => {
    const next = cloneDeep(doc) as Doc;
    const changed = update(next, modifier as Modifier<Doc>, input.arrayFilters, condition);
    return { doc: next, modified: changed.length > 0 };
  };
}

/** `$setOnInsert` is not a mingo operator: it folds into `$set` on insert and is dropped otherwise. */
function toModifier(u: Doc, inserting: boolean): Doc {
  const { $setOnInsert, ...rest } = u;
  const modifier: Doc = { ...rest };
  if (inserting && isPlainObject($setOnInsert)) {
    const set = isPlainObject(rest.$set) ? rest.$set : {};
    for (const key of Object.keys($setOnInsert)) {
      if (Object.hasOwn(set, key)) {
        throw new CommandError(
          40,
          'ConflictingUpdateOperators',
          `Updating the path '${key}' would create a conflict at '${key}'`,
        );
      }
    }
    modifier.$set = { ...set, ...$setOnInsert };
  }
  for (const [op, fields] of Object.entries(modifier)) {
    if (isPlainObject(fields) && Object.keys(fields).length === 0) delete modifier[op];
  }
  return modifier;
}

/** The document an upsert starts from: the filter's equality fields (including inside `$and`). */
export function seedFromFilter(filter: Doc, seed: Doc = {}): Doc {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) seedFromFilter(clause, seed);
      continue;
    }
    if (key.startsWith('$') || value instanceof RegExp) continue;
    if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
      if (Object.hasOwn(value, '$eq')) setValue(seed, key, value.$eq);
      continue;
    }
    setValue(seed, key, value);
  }
  return seed;
}

/** Builds the document an upsert inserts. */
export function buildUpsertDoc(filter: Doc, input: UpdateInput): Doc {
  const seed = seedFromFilter(filter);
  if (isReplacement(input.u)) {
    return { ...(seed._id === undefined ? {} : { _id: seed._id }), ...input.u };
  }
  return buildUpdate(input, true)(seed).doc;
}
