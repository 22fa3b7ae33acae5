import type { HashIndex } from './hash-index.js';
import { joinKeys } from './index-spec.js';
import { encodeKey } from './key-encoding.js';
import { type Doc, isPlainObject } from './types.js';

/** The chosen access path: an index with the full keys to look up, or a collection scan (null). */
export interface Plan {
  index: HashIndex;
  keys: string[];
}

const MAX_KEYS = 1000;

/** Values a filter clause pins a field to by equality (`v`, `{ $eq: v }`, `{ $in: [...] }`), if any. */
function equalityValues(clause: unknown): unknown[] | undefined {
  if (clause instanceof RegExp || Array.isArray(clause)) return undefined;
  if (!isPlainObject(clause)) return [clause];
  const keys = Object.keys(clause);
  if (!keys.some((k) => k.startsWith('$'))) return [clause];
  if (keys.length !== 1) return undefined;
  if (keys[0] === '$eq') return equalityValues(clause.$eq);
  if (keys[0] === '$in' && Array.isArray(clause.$in)) {
    const values = clause.$in as unknown[];
    const usable = values.every((v) => !(v instanceof RegExp) && !Array.isArray(v));
    return usable ? values : undefined;
  }
  return undefined;
}

/** Equality keys an index can answer for this filter, or undefined if it cannot serve it. */
function keysFor(index: HashIndex, filter: Doc): string[] | undefined {
  if (index.spec.partialFilterExpression !== undefined) return undefined;
  let combos: string[][] = [[]];
  for (const field of index.fields) {
    const values = equalityValues(filter[field]);
    if (!values || !Object.hasOwn(filter, field)) return undefined;
    // A sparse index leaves out documents missing the field, which `null` would match.
    if (index.spec.sparse === true && values.some((v) => v === null)) return undefined;
    combos = combos.flatMap((c) => values.map((v) => [...c, encodeKey(v)]));
    if (combos.length > MAX_KEYS) return undefined;
  }
  return combos.map(joinKeys);
}

/** Picks the index answering the filter with the fewest keys; `_id_` and unique indexes win ties. */
export function planQuery(filter: Doc, indexes: Iterable<HashIndex>): Plan | null {
  let best: Plan | null = null;
  for (const index of indexes) {
    const keys = keysFor(index, filter);
    if (!keys) continue;
    const better =
      !best ||
      keys.length < best.keys.length ||
      (keys.length === best.keys.length && index.unique && !best.index.unique);
    if (better) best = { index, keys };
  }
  return best;
}
