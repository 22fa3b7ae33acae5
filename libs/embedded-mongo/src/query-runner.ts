import { Aggregator, ProcessingMode } from 'mingo';
import { cloneDeep } from 'mingo/util';
import type { Collection } from './collection.js';
import { CommandError } from './errors.js';
import { compileQuery } from './mingo-query.js';
import { projectDocs } from './projection.js';
import type { SortSpec } from './query-planner.js';
import type { Storage } from './storage.js';
import { type Doc, isPlainObject } from './types.js';

export interface FindOptions {
  filter?: Doc;
  sort?: unknown;
  projection?: unknown;
  skip?: number;
  limit?: number;
}

/** Splits `$natural` off a sort spec: mingo does not know it, and natural order is insertion order. */
function normalizeSort(sort: unknown): { spec?: SortSpec; natural: boolean; reverse: boolean } {
  if (!isPlainObject(sort)) return { natural: false, reverse: false };
  const { $natural, ...rest } = sort;
  const spec = Object.keys(rest).length > 0 ? (rest as SortSpec) : undefined;
  return { spec, natural: $natural !== undefined, reverse: $natural === -1 };
}

/**
 * The matches of `filter` in `sort` order, at least the first `want` of them: straight off an index
 * when one gives the order (reading stops there), else selected and sorted in memory.
 */
export function selectInOrder(coll: Collection, filter: Doc, sort: unknown, want: number): Doc[] {
  const { spec, natural, reverse } = normalizeSort(sort);
  if (spec && !natural) {
    const sorted = coll.selectSorted(filter, spec, want);
    if (sorted) return sorted;
  }
  let docs = coll.select(filter);
  if (reverse) docs = docs.reverse();
  if (!spec) return docs;
  const cursor = compileQuery({}).find(docs).sort(spec);
  if (Number.isFinite(want)) cursor.limit(want);
  return cursor.all() as Doc[];
}

/** find semantics: index-assisted selection and order, then skip, limit and projection. */
export function runFind(coll: Collection | undefined, options: FindOptions): Doc[] {
  if (!coll) return [];
  const skip = Math.max(0, options.skip ?? 0);
  const limit = Math.abs(options.limit ?? 0);
  const want = limit > 0 ? skip + limit : Number.POSITIVE_INFINITY;
  const docs = selectInOrder(coll, options.filter ?? {}, options.sort, want);
  const page = skip > 0 || docs.length > want ? docs.slice(skip, want) : docs;
  const projection = isPlainObject(options.projection) ? options.projection : {};
  return Object.keys(projection).length > 0 ? projectDocs(page, projection) : page;
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
