import { pathValues } from '../index-spec.js';
import { encodeKey } from '../key-encoding.js';
import { runAggregate, runFind } from '../query-runner.js';
import { type Doc, isPlainObject } from '../types.js';
import { asDoc, asNumber, type CommandHandler, targetCollection } from './command-context.js';

const find: CommandHandler = (cmd, ctx) => {
  const name = targetCollection(cmd, 'find');
  const limit = asNumber(cmd.limit);
  const docs = runFind(ctx.storage.get(ctx.db, name), {
    filter: asDoc(cmd.filter),
    sort: cmd.sort,
    projection: cmd.projection,
    skip: asNumber(cmd.skip),
    limit,
  });
  const singleBatch = cmd.singleBatch === true || limit < 0;
  return { cursor: ctx.cursors.open(`${ctx.db}.${name}`, docs, cmd.batchSize, singleBatch) };
};

const getMore: CommandHandler = (cmd, ctx) => ({
  cursor: ctx.cursors.getMore(asNumber(cmd.getMore), cmd.batchSize),
});

const killCursors: CommandHandler = (cmd, ctx) => {
  const ids = Array.isArray(cmd.cursors) ? cmd.cursors.map((id) => asNumber(id)) : [];
  const { killed, notFound } = ctx.cursors.kill(ids);
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [] };
};

const count: CommandHandler = (cmd, ctx) => {
  const coll = ctx.storage.get(ctx.db, targetCollection(cmd, 'count'));
  const matched = coll ? coll.select(asDoc(cmd.query)).length : 0;
  const afterSkip = Math.max(0, matched - Math.max(0, asNumber(cmd.skip)));
  const limit = Math.abs(asNumber(cmd.limit));
  return { n: limit > 0 ? Math.min(limit, afterSkip) : afterSkip };
};

const distinct: CommandHandler = (cmd, ctx) => {
  const coll = ctx.storage.get(ctx.db, targetCollection(cmd, 'distinct'));
  const key = typeof cmd.key === 'string' ? cmd.key : '';
  const values = new Map<string, unknown>();
  for (const doc of coll ? coll.select(asDoc(cmd.query)) : []) {
    for (const value of pathValues(doc, key)) {
      if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
      const k = encodeKey(value);
      if (!values.has(k)) values.set(k, value);
    }
  }
  return { values: [...values.values()] };
};

const aggregate: CommandHandler = (cmd, ctx) => {
  const target = cmd.aggregate;
  const name = typeof target === 'string' ? target : undefined;
  const pipeline = Array.isArray(cmd.pipeline) ? cmd.pipeline.map(asDoc) : [];
  const coll = name ? ctx.storage.get(ctx.db, name) : undefined;
  const docs = runAggregate(ctx.storage, ctx.db, coll, pipeline);
  const ns = `${ctx.db}.${name ?? '$cmd.aggregate'}`;
  return { cursor: ctx.cursors.open(ns, docs, asDoc(cmd.cursor).batchSize) };
};

/**
 * Reports how a find/count/distinct/aggregate selected its documents (index or collection scan). A find
 * runs with its sort, skip and limit, so the figures show whether an index walk gave the order (no SORT
 * stage) and stopped at the limit.
 */
const explain: CommandHandler = (cmd, ctx) => {
  const inner = asDoc(cmd.explain);
  const op = Object.keys(inner)[0] ?? '';
  const name = typeof inner[op] === 'string' ? (inner[op] as string) : '';
  const coll = ctx.storage.get(ctx.db, name);
  const filter = pickFilter(op, inner);
  const sorted = op === 'find' && isPlainObject(inner.sort) && Object.keys(inner.sort).length > 0;
  let nReturned = 0;
  if (coll && op === 'find') {
    const options = { filter, sort: inner.sort, skip: asNumber(inner.skip), limit: asNumber(inner.limit) };
    nReturned = runFind(coll, options).length;
  } else if (coll) nReturned = coll.select(filter).length;
  const stats = coll?.lastStats;
  const inputStage: Doc = stats
    ? {
        stage: stats.stage,
        ...(stats.indexName ? { indexName: stats.indexName } : {}),
        ...(stats.stage === 'IXSCAN' && stats.direction ? { direction: stats.direction } : {}),
      }
    : { stage: 'EOF' };
  const fetch: Doc = { stage: 'FETCH', inputStage };
  const winningPlan = sorted && !stats?.sortedByIndex ? { stage: 'SORT', inputStage: fetch } : fetch;
  return {
    queryPlanner: { namespace: `${ctx.db}.${name}`, winningPlan },
    executionStats: {
      nReturned,
      executionTimeMillis: 0,
      totalKeysExamined: stats?.keysExamined ?? 0,
      totalDocsExamined: stats?.docsExamined ?? 0,
    },
  };
};

function pickFilter(op: string, inner: Doc): Doc {
  if (op === 'find') return asDoc(inner.filter);
  if (op === 'aggregate' && Array.isArray(inner.pipeline)) {
    const first = asDoc(inner.pipeline[0]);
    return isPlainObject(first.$match) ? first.$match : {};
  }
  return asDoc(inner.query);
}

export const readCommands: Record<string, CommandHandler> = {
  find,
  getMore,
  killCursors,
  count,
  distinct,
  aggregate,
  explain,
};
