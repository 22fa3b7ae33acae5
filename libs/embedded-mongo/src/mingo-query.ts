import { Context, Query } from 'mingo';
import { Query as BaseQuery } from 'mingo/query';
import type { ArrayOrObject, Options, QueryOperator } from 'mingo/types';
import { HashMap, resolve } from 'mingo/util';
import { type Doc, isPlainObject } from './types.js';

/**
 * mingo's `$in` with its list hashed once per query instead of on every document tested (its `$in`
 * rebuilds a hash map of the whole list each time: a 50-id `$in` cost more than the rest of an update).
 * Same steps otherwise: the field's values (arrays unwrapped), `null` matching missing, regexes on strings.
 */
const $embeddedIn = (selector: string, value: unknown, _options: Options) => {
  const list = value as unknown[];
  const listed = HashMap.init<unknown, true>();
  for (const value of list) listed.set(value, true);
  const hasNull = list.some((v) => v === null);
  const patterns = list.filter((v): v is RegExp => v instanceof RegExp);
  return (doc: ArrayOrObject) => {
    const found: unknown = resolve(doc, selector, { unwrapArray: true });
    if (found === null || found === undefined) return hasNull;
    const values = Array.isArray(found) ? found : [found];
    if (values.some((v) => listed.has(v))) return true;
    return (
      patterns.length > 0 && values.some((v) => typeof v === 'string' && patterns.some((re) => re.test(v)))
    );
  };
};

/**
 * mingo's `Query` copies its whole operator table (hundreds of entries) into fresh options for every query,
 * unless it is handed options that mingo built itself, which it then shares: that copy cost more than
 * matching. The options are mingo's own, taken from the one query built here, whose filter names an
 * operator that receives them; every later query shares them (and so the same operators and defaults as
 * `new Query(filter, {})`). Per-query state (the filter, `$$NOW`) lives apart from them in each query.
 */
function sharedOptions(): Partial<Options> {
  let options: Partial<Options> | undefined;
  const capture = (_selector: string, _value: unknown, given: Options) => {
    options = given;
    return () => true;
  };
  const probe = Context.init().addQueryOps({
    $embeddedOptions: capture as QueryOperator,
    $embeddedIn: $embeddedIn as QueryOperator,
  });
  new Query({ field: { $embeddedOptions: true } }, { context: probe });
  if (!options) throw new Error('mingo did not pass its options to a query operator');
  return options;
}

const SHARED = sharedOptions();

/** A compiled filter, as `new Query(filter, {})` from mingo compiles it. */
export function compileQuery(filter: Doc): BaseQuery {
  return new BaseQuery(withHashedIn(filter), SHARED);
}

/** The filter with each field's `$in: [list]` (also under `$and`/`$or`/`$nor`) read as `$embeddedIn`. */
function withHashedIn(filter: Doc): Doc {
  let out: Doc | undefined;
  for (const [key, clause] of Object.entries(filter)) {
    const next = rewriteClause(key, clause);
    if (next !== clause) {
      out ??= { ...filter };
      out[key] = next;
    }
  }
  return out ?? filter;
}

function rewriteClause(key: string, clause: unknown): unknown {
  if (key === '$and' || key === '$or' || key === '$nor') {
    if (!Array.isArray(clause)) return clause;
    const parts = clause.map((c) => (isPlainObject(c) ? withHashedIn(c) : c));
    return parts.some((c, i) => c !== clause[i]) ? parts : clause;
  }
  if (key.startsWith('$') || !isPlainObject(clause) || !Array.isArray(clause.$in)) return clause;
  // Same keys in the same order: mingo tests a field's operators in turn.
  const rewritten: Doc = {};
  for (const [op, value] of Object.entries(clause)) rewritten[op === '$in' ? '$embeddedIn' : op] = value;
  return rewritten;
}
