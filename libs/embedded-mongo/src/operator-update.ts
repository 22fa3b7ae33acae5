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
import { cloneDeep, compare, has, isDate, isEqual, isNumber, isObject, isRegExp } from 'mingo/util';
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
  const steps = Object.entries(modifier).map(([op, expr]) => ({
    // Built even when a direct step exists: it checks the arguments as mingo's updater does.
    mutate: (OPERATORS[op] as OperatorFactory)(expr as Doc),
    direct: directStep(op, expr as Doc),
  }));
  const split = paths.map((p) => p.split('.'));
  const fields = new Set(split.map((parts) => parts[0] as string));
  return (doc) => {
    const copied = copyAlong(doc, split);
    const next = copied ?? (cloneDeep(doc) as Doc);
    let modified = false;
    for (const { mutate, direct } of steps) {
      if (copied && direct ? direct(next) : mutate(next).length > 0) modified = true;
    }
    return { doc: next, modified, fields };
  };
}

/** What an operator does at the end of a path: `parent[key]` with the operator's argument. */
interface LeafStep {
  /** Whether missing objects on the way are created (mingo's `buildGraph`), or the path is left alone. */
  build: boolean;
  apply: (parent: Doc, key: string, arg: unknown) => boolean;
}

/**
 * mingo's own leaf steps of its commonest operators (same checks, same copies, same results), applied
 * without its per-document path parsing and walking, which cost more than the steps. Only used when every
 * path runs through plain objects (the copy along the paths succeeded), where that walk is a plain descent.
 */
const LEAF_STEPS: Record<string, LeafStep> = {
  $set: {
    build: true,
    apply: (o, k, arg) => {
      if (isEqual(o[k], arg)) return false;
      o[k] = copyOf(arg);
      return true;
    },
  },
  $unset: {
    build: false,
    apply: (o, k) => {
      if (!has(o, k)) return false;
      const previous = o[k];
      delete o[k];
      return !isEqual(previous, o[k]);
    },
  },
  $inc: {
    build: true,
    apply: (o, k, arg) => {
      const previous = o[k];
      if (!isNumber(previous) && previous !== undefined) return false;
      const next = ((previous as number | undefined) || 0) + (arg as number);
      o[k] = next;
      return next !== previous;
    },
  },
  $max: {
    build: true,
    apply: (o, k, arg) => {
      if (compare(o[k], arg) > -1) return false;
      o[k] = arg;
      return true;
    },
  },
  $min: {
    build: true,
    apply: (o, k, arg) => {
      if (o[k] !== undefined && compare(o[k], arg) < 1) return false;
      o[k] = arg;
      return true;
    },
  },
};

/** mingo's "copy" clone of a value an update stores. */
function copyOf(value: unknown): unknown {
  if (isDate(value)) return new Date(value);
  if (Array.isArray(value)) return value.slice();
  if (isObject(value)) return Object.assign({}, value);
  if (isRegExp(value)) return new RegExp(value);
  return value;
}

function directStep(op: string, expr: Doc): ((doc: Doc) => boolean) | undefined {
  const leaf = LEAF_STEPS[op];
  if (!leaf) return undefined;
  const targets = Object.entries(expr).map(([path, arg]) => ({ parts: path.split('.'), arg }));
  return (doc) => {
    let changed = false;
    for (const { parts, arg } of targets) {
      const parent = parentOf(doc, parts, leaf.build);
      if (parent && leaf.apply(parent, parts[parts.length - 1] as string, arg)) changed = true;
    }
    return changed;
  };
}

/** The object holding a path's last field, creating missing ones when `build` (as mingo's walk does). */
function parentOf(doc: Doc, parts: string[], build: boolean): Doc | undefined {
  let at = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i] as string;
    let next = at[key];
    if (next === undefined || next === null) {
      if (!build) return undefined;
      next = {};
      at[key] = next;
    }
    at = next as Doc;
  }
  return at;
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
