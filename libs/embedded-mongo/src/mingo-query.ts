import { Context, Query } from 'mingo';
import { Query as BaseQuery } from 'mingo/query';
import type { Options, QueryOperator } from 'mingo/types';
import type { Doc } from './types.js';

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
  const probe = Context.init().addQueryOps({ $embeddedOptions: capture as QueryOperator });
  new Query({ field: { $embeddedOptions: true } }, { context: probe });
  if (!options) throw new Error('mingo did not pass its options to a query operator');
  return options;
}

const SHARED = sharedOptions();

/** A compiled filter, as `new Query(filter, {})` from mingo compiles it. */
export function compileQuery(filter: Doc): BaseQuery {
  return new BaseQuery(filter, SHARED);
}
