import type { Collection } from './collection.js';
import { selectInOrder } from './query-runner.js';
import { type Doc, isPlainObject } from './types.js';
import { buildUpsertDoc, compileUpdate } from './update-engine.js';

/** One update statement, as in the `updates` array of the update command. */
export interface UpdateStatement {
  q: Doc;
  u: unknown;
  upsert?: boolean;
  multi?: boolean;
  arrayFilters?: Doc[];
  sort?: Doc;
}

export interface UpdateOutcome {
  matched: number;
  modified: number;
  upserted?: Doc;
  /** Before/after pairs of the documents written, in order (findAndModify reads the first). */
  changes: Array<{ before: Doc | null; after: Doc }>;
}

/** The first `limit` matches in `sort` order (all when limit is 0), through an index when one gives it. */
export function pickMatches(coll: Collection, filter: Doc, sort: unknown, limit: number): Doc[] {
  const matches = selectInOrder(coll, filter, sort, limit > 0 ? limit : Number.POSITIVE_INFINITY);
  return limit > 0 && matches.length > limit ? matches.slice(0, limit) : matches;
}

/**
 * Applies one update statement. `getCollection(true)` must create the collection (upserts do so);
 * unique-index violations surface as the thrown E11000 CommandError.
 */
export function runUpdate(
  getCollection: (create: boolean) => Collection | undefined,
  stmt: UpdateStatement,
): UpdateOutcome {
  const filter = isPlainObject(stmt.q) ? stmt.q : {};
  const input = { u: stmt.u, arrayFilters: stmt.arrayFilters, filter };
  const existing = getCollection(false);
  const matches = existing ? pickMatches(existing, filter, stmt.sort, stmt.multi ? 0 : 1) : [];
  if (existing && matches.length > 0) {
    const outcome: UpdateOutcome = { matched: 0, modified: 0, changes: [] };
    const apply = compileUpdate(input);
    for (const before of matches) {
      const { doc: after, modified, fields } = apply(before);
      outcome.matched++;
      if (modified) {
        existing.replace(before, after, fields);
        outcome.modified++;
      }
      outcome.changes.push({ before, after: modified ? after : before });
    }
    return outcome;
  }
  if (!stmt.upsert) return { matched: 0, modified: 0, changes: [] };
  const coll = getCollection(true);
  if (!coll) return { matched: 0, modified: 0, changes: [] };
  const inserted = coll.insert(buildUpsertDoc(filter, input));
  return { matched: 0, modified: 0, upserted: inserted, changes: [{ before: null, after: inserted }] };
}

/** Deletes the matches of `filter` (only the first when `limit` is 1) and returns them. */
export function runDelete(coll: Collection | undefined, filter: Doc, limit: number, sort?: unknown): Doc[] {
  if (!coll) return [];
  const victims = pickMatches(coll, filter, sort, limit === 1 ? 1 : 0);
  for (const doc of victims) coll.remove(doc);
  return victims;
}
