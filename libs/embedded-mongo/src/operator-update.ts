import {
  $addToSet,
  $bit,
  $inc,
  $max,
  $min,
  $mul,
  $pop,
  $pullAll,
  $push,
  $set,
  $unset,
} from 'mingo/operators/update';
import { cloneDeep } from 'mingo/util';
import { type Doc, isPlainObject } from './types.js';

type Mutator = (doc: Doc) => string[];
type OperatorFactory = (expr: Doc) => Mutator;

/**
 * mingo's update operators that need nothing from the statement but their own arguments: no positional
 * paths, no query ($pull, whose condition may use any expression operator), no clock ($currentDate), no
 * second path ($rename). Statements using anything else go through mingo's full `update()`. Their
 * argument types are checked by the operators themselves at run time, as when mingo's updater calls them.
 */
const OPERATORS = {
  $set,
  $unset,
  $inc,
  $mul,
  $min,
  $max,
  $push,
  $pop,
  $addToSet,
  $bit,
  $pullAll,
} as unknown as Record<string, OperatorFactory>;

/** A document's new version (the stored one untouched) and whether it differs. */
export interface UpdatedDocument {
  doc: Doc;
  modified: boolean;
  /** The top-level fields the update can have changed (indexes on other fields keep their keys); absent: any. */
  fields?: ReadonlySet<string>;
}

/** What one statement does to each document it matched. */
export type DocumentUpdate = (doc: Doc) => UpdatedDocument;

/**
 * The operator update `modifier` built once for every document of a statement, or undefined when it needs
 * mingo's general updater. mingo's `update()` sets up a fresh operator context and parses the modifier per
 * document, which cost more than the rest of a write; the operators themselves are the same functions.
 * Each document is copied only along the updated paths (the operators change those in place); the rest is
 * shared with the stored version, which nothing mutates.
 */
export function compileOperatorUpdate(modifier: Doc): DocumentUpdate | undefined {
  const paths: string[] = [];
  for (const [op, expr] of Object.entries(modifier)) {
    if (!Object.hasOwn(OPERATORS, op) || !isPlainObject(expr)) return undefined;
    for (const path of Object.keys(expr)) {
      if (path.includes('$') || path.includes('__proto__')) return undefined;
      paths.push(path);
    }
  }
  assertUpdatablePaths(paths);
  const mutators = Object.entries(modifier).map(([op, expr]) =>
    (OPERATORS[op] as OperatorFactory)(expr as Doc),
  );
  const split = paths.map((p) => p.split('.'));
  const fields = new Set(split.map((parts) => parts[0] as string));
  return (doc) => {
    const next = copyAlong(doc, split) ?? (cloneDeep(doc) as Doc);
    let modified = false;
    for (const mutate of mutators) if (mutate(next).length > 0) modified = true;
    return { doc: next, modified, fields };
  };
}

/**
 * The checks mingo makes over all of a modifier's paths before applying any (same order, same messages,
 * which errors.ts maps to mongod's codes): `_id` is immutable, and no path may be another's prefix.
 */
function assertUpdatablePaths(paths: string[]): void {
  const taken = new Set<string>();
  for (const path of paths) {
    if (path === '_id' || path.startsWith('_id.')) {
      throw new Error(`Performing an update on the path '${path}' would modify the immutable field '_id'.`);
    }
    if (conflicts(path, taken)) {
      throw new Error(`updating the path '${path}' would create a conflict at '${path}'`);
    }
    taken.add(path);
  }
}

function conflicts(path: string, taken: Set<string>): boolean {
  if (taken.has(path)) return true;
  for (const other of taken) {
    if (other.startsWith(`${path}.`) || path.startsWith(`${other}.`)) return true;
  }
  return false;
}

/**
 * A copy of `doc` in which the objects on each path, and an array at its end, are fresh (what the operators
 * may change in place); everything else is shared. Undefined when a path runs through an array or a
 * non-plain value, where the operators' traversal is not worth following: the caller copies all of it.
 */
function copyAlong(doc: Doc, paths: string[][]): Doc | undefined {
  const root = { ...doc };
  const fresh = new Set<unknown>([root]);
  for (const parts of paths) {
    let parent: Doc = root;
    for (let i = 0; i < parts.length; i++) {
      const key = parts[i] as string;
      const value = parent[key];
      // The operators build what is missing; an object already copied for an earlier path is reused.
      if (value === undefined || value === null) break;
      if (fresh.has(value)) {
        parent = value as Doc;
        continue;
      }
      const last = i === parts.length - 1;
      if (Array.isArray(value)) {
        if (!last) return undefined;
        const copy = value.slice();
        fresh.add(copy);
        parent[key] = copy;
      } else if (last) {
        break;
      } else if (Object.getPrototypeOf(value) === Object.prototype) {
        const copy = { ...(value as Doc) };
        fresh.add(copy);
        parent[key] = copy;
        parent = copy;
      } else return undefined;
    }
  }
  return root;
}
