import { Aggregator, find, ProcessingMode } from 'mingo';
import { cloneDeep } from 'mingo/util';
import type { Collection } from './collection.js';
import { CommandError } from './errors.js';
import type { Storage } from './storage.js';
import { type Doc, isPlainObject } from './types.js';

export interface FindOptions {
  filter?: Doc;
  sort?: unknown;
  projection?: unknown;
  skip?: number;
  limit?: number;
}

type SortSpec = Record<string, 1 | -1>;

/** Splits `$natural` off a sort spec: mingo does not know it, and natural order is insertion order. */
function normalizeSort(sort: unknown): { spec?: SortSpec; reverse: boolean } {
  if (!isPlainObject(sort)) return { reverse: false };
  const { $natural, ...rest } = sort;
  const spec = Object.keys(rest).length > 0 ? (rest as SortSpec) : undefined;
  return { spec, reverse: $natural === -1 };
}

/** find semantics: index-assisted selection, then mingo for sort, skip, limit and projection. */
export function runFind(coll: Collection | undefined, options: FindOptions): Doc[] {
  if (!coll) return [];
  let docs = coll.select(options.filter ?? {});
  const { spec, reverse } = normalizeSort(options.sort);
  if (reverse) docs = docs.reverse();
  const projection = isPlainObject(options.projection) ? options.projection : {};
  const cursor = find(docs, {}, projection);
  if (spec) cursor.sort(spec);
  if (options.skip && options.skip > 0) cursor.skip(options.skip);
  if (options.limit && options.limit !== 0) cursor.limit(Math.abs(options.limit));
  return cursor.all() as Doc[];
}

export function projectDocs(docs: Doc[], projection: Doc): Doc[] {
  return find(docs, {}, projection).all() as Doc[];
}

// Stages known not to mutate their input documents; anything else runs on clones.
const NON_MUTATING_STAGES = new Set([
  '$match',
  '$sort',
  '$skip',
  '$limit',
  '$count',
  '$group',
  '$sortByCount',
]);
const UNSUPPORTED_STAGES = new Set(['$out', '$merge', '$changeStream', '$currentOp', '$listSessions']);

/** aggregate semantics: a leading `$match` uses the collection's indexes, the rest runs in mingo. */
export function runAggregate(
  storage: Storage,
  db: string,
  coll: Collection | undefined,
  pipeline: Doc[],
): Doc[] {
  for (const stage of pipeline) {
    const name = Object.keys(stage)[0] ?? '';
    if (UNSUPPORTED_STAGES.has(name)) {
      throw new CommandError(40324, 'Location40324', `Unsupported stage in the embedded server: ${name}`);
    }
  }
  const [first, ...rest] = pipeline;
  const leadingMatch = first && isPlainObject(first.$match) ? first.$match : undefined;
  const source = coll ? (leadingMatch ? coll.select(leadingMatch) : coll.all()) : [];
  const stages = leadingMatch ? rest : pipeline;
  const safe = stages.every((s) => NON_MUTATING_STAGES.has(Object.keys(s)[0] ?? ''));
  const aggregator = new Aggregator(stages, {
    processingMode: safe ? ProcessingMode.CLONE_OFF : ProcessingMode.CLONE_INPUT,
    collectionResolver: (name) => {
      const docs = storage.get(db, name)?.all() ?? [];
      return safe ? docs : docs.map((d) => cloneDeep(d));
    },
  });
  return aggregator.run(source) as Doc[];
}
