import type { HashIndex } from './hash-index.js';
import { joinKeys } from './index-spec.js';
import { encodeKey } from './key-encoding.js';
import { type Doc, isPlainObject } from './types.js';

/**
 * The chosen access path: an index, how many of its leading fields the filter pins by equality, and
 * the keys of those fields to look up; or a collection scan (null).
 */
export interface Plan {
  index: HashIndex;
  keys: string[];
  pinned: number;
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

/**
 * Keys of the longest prefix of the index's fields that the filter pins by equality, or undefined if
 * not even the first field is pinned. Any document matching the filter holds one of these prefix keys.
 */
function planFor(index: HashIndex, filter: Doc): Plan | undefined {
  // A partial index may leave out matching documents; proving the filter implies it is not worth it.
  if (index.spec.partialFilterExpression !== undefined) return undefined;
  let combos: string[][] = [[]];
  let pinned = 0;
  for (const field of index.fields) {
    const values = Object.hasOwn(filter, field) ? equalityValues(filter[field]) : undefined;
    if (!values) break;
    // A sparse index leaves out documents missing all its fields, which `null` would match.
    if (index.spec.sparse === true && values.some((v) => v === null)) break;
    const next = combos.flatMap((c) => values.map((v) => [...c, encodeKey(v)]));
    if (next.length > MAX_KEYS) break;
    combos = next;
    pinned++;
  }
  return pinned > 0 ? { index, keys: combos.map(joinKeys), pinned } : undefined;
}

/** Ordering of plans, best first: full-key unique lookups, then most pinned fields, full keys, fewest keys. */
function rank(plan: Plan): number[] {
  const full = plan.pinned === plan.index.fields.length;
  const unique = plan.index.unique;
  return [full && unique ? 1 : 0, plan.pinned, full ? 1 : 0, -plan.keys.length, unique ? 1 : 0];
}

function isBetter(a: Plan, b: Plan): boolean {
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < ra.length; i++) {
    const x = ra[i] ?? 0;
    const y = rb[i] ?? 0;
    if (x !== y) return x > y;
  }
  return false;
}

/** Picks the index that answers the filter with the smallest candidate set it can prove. */
export function planQuery(filter: Doc, indexes: Iterable<HashIndex>): Plan | null {
  let best: Plan | null = null;
  for (const index of indexes) {
    const plan = planFor(index, filter);
    if (plan && (!best || isBetter(plan, best))) best = plan;
  }
  return best;
}
