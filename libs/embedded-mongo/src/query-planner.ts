import type { Bound, CollectionIndex, KeyRange } from './collection-index.js';
import { joinKeys } from './index-spec.js';
import { encodeKey } from './key-encoding.js';
import { orderKey, typeBracket } from './key-order.js';
import { type Doc, isPlainObject } from './types.js';

/**
 * The chosen access path: an index, how many of its leading fields the filter pins by equality, and
 * the keys of those fields to look up; or a collection scan (null).
 */
export interface Plan {
  index: CollectionIndex;
  /** Canonical full keys (when every field is pinned). */
  keys: string[];
  /** Order encodings of each pinned combination (for prefix lookups). */
  prefixes: string[][];
  pinned: number;
}

/**
 * A walk of one index in the order a sort asks for: the equality prefix, an optional range on the next
 * field, and the direction. Documents come out already sorted, so reading stops at the limit.
 */
export interface OrderedPlan {
  index: CollectionIndex;
  prefix: string[];
  range: KeyRange | undefined;
  backward: boolean;
  pinned: number;
}

export type SortSpec = Record<string, 1 | -1>;

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
function planFor(index: CollectionIndex, filter: Doc): Plan | undefined {
  // A partial index may leave out matching documents; proving the filter implies it is not worth it.
  if (index.spec.partialFilterExpression !== undefined) return undefined;
  let combos: unknown[][] = [[]];
  let pinned = 0;
  for (const field of index.fields) {
    const values = Object.hasOwn(filter, field) ? equalityValues(filter[field]) : undefined;
    if (!values) break;
    // A sparse index leaves out documents missing all its fields, which `null` would match.
    if (index.spec.sparse === true && values.some((v) => v === null)) break;
    const next = combos.flatMap((c) => values.map((v) => [...c, v]));
    if (next.length > MAX_KEYS) break;
    combos = next;
    pinned++;
  }
  if (pinned === 0) return undefined;
  const full = pinned === index.fields.length;
  return {
    index,
    pinned,
    keys: full ? combos.map((c) => joinKeys(c.map(encodeKey))) : [],
    prefixes: full ? [] : combos.map((c) => c.map(orderKey)),
  };
}

/** Ordering of plans, best first: full-key unique lookups, then most pinned fields, full keys, fewest keys. */
function rank(plan: Plan): number[] {
  const full = plan.pinned === plan.index.fields.length;
  const unique = plan.index.unique;
  const keyCount = full ? plan.keys.length : plan.prefixes.length;
  return [full && unique ? 1 : 0, plan.pinned, full ? 1 : 0, -keyCount, unique ? 1 : 0];
}

function isBetter(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return false;
}

/** True for a plan that reads at most one document per key: a full key of a unique index. */
export function isPointLookup(plan: Plan): boolean {
  return plan.index.unique && plan.pinned === plan.index.fields.length;
}

/** Picks the index that answers the filter with the smallest candidate set it can prove. */
export function planQuery(filter: Doc, indexes: Iterable<CollectionIndex>): Plan | null {
  let best: Plan | null = null;
  for (const index of indexes) {
    const plan = planFor(index, filter);
    if (plan && (!best || isBetter(rank(plan), rank(best)))) best = plan;
  }
  return best;
}

/** A value a range bound can be built on: scalars and BSON values, not null, patterns, arrays or objects. */
function isBoundValue(value: unknown): boolean {
  if (value === null || value === undefined || value instanceof RegExp || Array.isArray(value)) return false;
  if (typeof value === 'number') return !Number.isNaN(value);
  return !isPlainObject(value);
}

/**
 * Bounds a filter clause puts on a field through `$gt`/`$gte`/`$lt`/`$lte` (other operators are left to
 * the filter). An open end is closed at the edge of the bound's type class, as mongod brackets ranges.
 */
function rangeOf(clause: unknown): KeyRange | undefined {
  if (!isPlainObject(clause)) return undefined;
  let low: Bound | undefined;
  let high: Bound | undefined;
  for (const [op, value] of Object.entries(clause)) {
    if (!isBoundValue(value)) continue;
    if (op === '$gt' || op === '$gte') low = { key: orderKey(value), inclusive: op === '$gte' };
    if (op === '$lt' || op === '$lte') high = { key: orderKey(value), inclusive: op === '$lte' };
  }
  if (low && !high) high = { key: typeBracket(low.key).high, inclusive: true };
  if (high && !low) low = { key: typeBracket(high.key).low, inclusive: true };
  return low && high ? { low, high } : undefined;
}

/**
 * An ordered walk of `index` that yields documents in `sort` order for `filter`, if the index can: the
 * filter pins a leading prefix to single values, the sort (minus pinned fields) names the next fields in
 * index order, all in the index's directions or all reversed, and none of those fields is multikey.
 */
function orderedPlanFor(index: CollectionIndex, filter: Doc, sort: SortSpec): OrderedPlan | undefined {
  if (index.spec.partialFilterExpression !== undefined) return undefined;
  const sparse = index.spec.sparse === true;
  const prefix: string[] = [];
  for (const field of index.fields) {
    const values = Object.hasOwn(filter, field) ? equalityValues(filter[field]) : undefined;
    if (values?.length !== 1) break;
    if (sparse && (values[0] === null || values[0] === undefined)) break;
    prefix.push(orderKey(values[0]));
  }
  const pinned = prefix.length;
  // A sparse index without a pinned non-null field may leave out documents the sort must return.
  if (sparse && pinned === 0) return undefined;
  const pinnedFields = new Set(index.fields.slice(0, pinned));
  const sortFields = Object.entries(sort).filter(([field]) => !pinnedFields.has(field));
  if (sortFields.length === 0) return undefined;
  let sign = 0;
  for (const [j, [field, direction]] of sortFields.entries()) {
    const at = pinned + j;
    if (direction !== 1 && direction !== -1) return undefined;
    if (index.fields[at] !== field || index.multikey[at]) return undefined;
    const s = direction * (index.directions[at] as number);
    if (sign !== 0 && s !== sign) return undefined;
    sign = s;
  }
  const rangeField = index.fields[pinned];
  const range = rangeField !== undefined ? rangeOf(filter[rangeField]) : undefined;
  return { index, prefix, range, backward: sign < 0, pinned };
}

/** The ordered walk that pins the most fields (then has a range), or null when no index gives the sort. */
export function planOrdered(
  filter: Doc,
  sort: SortSpec,
  indexes: Iterable<CollectionIndex>,
): OrderedPlan | null {
  let best: OrderedPlan | null = null;
  const score = (p: OrderedPlan) => [p.pinned, p.range ? 1 : 0];
  for (const index of indexes) {
    const plan = orderedPlanFor(index, filter, sort);
    if (plan && (!best || isBetter(score(plan), score(best)))) best = plan;
  }
  return best;
}
