import { compileQuery } from './mingo-query.js';
import type { Doc } from './types.js';

/** A path ran into an array or a non-plain object: the document is projected by mingo instead. */
const GENERAL = Symbol('general');

/**
 * Documents through a find projection, as mingo projects them. The common shape, fields included by
 * path (`{ 'sent.a': 1, 'sent.b': 1 }`, `_id` kept or dropped), over documents whose paths run through
 * plain objects, is built directly the way mingo's `$project` builds it: the paths in sorted order, each
 * merged into the result, missing leaves left out, `_id` last unless named. Setting up mingo's cursor
 * and projection stage for each reply cost more than the rest of a findAndModify. Anything else
 * (exclusions, operators, expressions, positional `$`, arrays on a path, path collisions) goes to mingo.
 */
export function projectDocs(docs: Doc[], projection: Doc): Doc[] {
  const plan = inclusionPlan(projection);
  if (!plan) return generalProjection(docs, projection);
  return docs.map((doc) => includePaths(doc, plan) ?? (generalProjection([doc], projection)[0] as Doc));
}

function generalProjection(docs: Doc[], projection: Doc): Doc[] {
  return compileQuery({}).find(docs, projection).all() as Doc[];
}

interface InclusionPlan {
  paths: string[][];
  /** `_id: 0` (or false) was given: no `_id` unless a path names it. */
  dropId: boolean;
}

function inclusionPlan(projection: Doc): InclusionPlan | undefined {
  const included: string[] = [];
  let dropId = false;
  for (const [path, value] of Object.entries(projection)) {
    if (path === '_id' && (value === 0 || value === false)) {
      dropId = true;
      continue;
    }
    if (!(value === true || (typeof value === 'number' && value !== 0))) return undefined;
    if (path.startsWith('$') || path.includes('.$') || path.includes('__proto__')) return undefined;
    if (path.split('.').some((part) => part === '')) return undefined;
    included.push(path);
  }
  if (included.length === 0) return undefined;
  if (dropId && included.some((p) => p.startsWith('_id.'))) return undefined;
  // mingo sorts the paths (plain string order), and rejects one that is another's prefix.
  included.sort();
  for (let i = 1; i < included.length; i++) {
    const previous = included[i - 1] as string;
    const path = included[i] as string;
    if (path === previous || path.startsWith(`${previous}.`)) return undefined;
  }
  return { paths: included.map((p) => p.split('.')), dropId };
}

function includePaths(doc: Doc, plan: InclusionPlan): Doc | undefined {
  const out: Doc = {};
  for (const parts of plan.paths) {
    const graph = pathGraph(doc, parts, 0);
    if (graph === GENERAL) return undefined;
    mergeInto(out, graph as Doc);
  }
  if (!plan.dropId && !Object.hasOwn(out, '_id') && Object.hasOwn(doc, '_id')) out._id = doc._id;
  return out;
}

/**
 * `{ part: { next: … value } }` for the path from `parts[i]` on, as mingo's resolveGraph gives it: a plain
 * object on the path stays (empty if nothing below it exists), a scalar or null in the middle ends it.
 */
function pathGraph(value: unknown, parts: string[], i: number): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  if (Object.getPrototypeOf(value) !== Object.prototype) return GENERAL;
  const key = parts[i] as string;
  let below = Object.hasOwn(value, key) ? (value as Doc)[key] : undefined;
  if (i < parts.length - 1) {
    below = pathGraph(below, parts, i + 1);
    if (below === GENERAL) return GENERAL;
  }
  return below === undefined ? {} : { [key]: below };
}

/** mingo's merge: a missing or null field takes the input, two objects merge, anything else stays. */
function mergeInto(target: Doc, input: Doc): void {
  for (const [key, value] of Object.entries(input)) {
    const existing = target[key];
    if (existing === undefined || existing === null) target[key] = value;
    else if (isObject(existing) && isObject(value)) mergeInto(existing, value);
  }
}

function isObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object';
}
