import { deserialize, ObjectId, serialize } from 'bson';
import fc from 'fast-check';
import { find, Query, update } from 'mingo';
import { cloneDeep } from 'mingo/util';
import { describe, expect, test } from 'vitest';
import { toCommandError } from '../src/errors.js';
import { compileQuery } from '../src/mingo-query.js';
import { projectDocs } from '../src/projection.js';
import type { Doc } from '../src/types.js';
import { compileUpdate } from '../src/update-engine.js';

// Documents over a few field names, nested objects, arrays and BSON values: enough for paths to meet
// missing fields, scalars in the middle, arrays and plain objects.
const NAMES = ['a', 'b', 'c', '_id'] as const;
const scalar = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom('x', 'y', null, true),
  fc.constant(new ObjectId('65a1b2c3d4e5f60718293a4b')),
  fc.constant(new Date(0)),
);
const { value: anyValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...NAMES), tie('value'), { maxKeys: 3 }),
  ),
}));
// Stored documents are always deserialized BSON: plain objects, nothing shared with another document.
const docArb = fc
  .dictionary(fc.constantFrom('a', 'b', 'c'), anyValue, { maxKeys: 3 })
  .map((rest) => serialize({ _id: 1, ...rest }));
const stored = (bson: Uint8Array) => deserialize(bson) as Doc;
// Mostly short paths, so that updates often meet the values already there (equal ones included).
const pathArb = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'a.b', 'c.a'),
  fc.array(fc.constantFrom(...NAMES, '0'), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.')),
);

/** The BSON a document serializes to: equal bytes mean equal values, types and field order, at every depth. */
const bytes = (doc: Doc) => Buffer.from(serialize(doc)).toString('hex');

/** What the server answered before: mingo's updater on a deep copy, or the error it threw, as a command error. */
function viaMingo(
  doc: Doc,
  modifier: Doc,
): { doc: Doc; modified: boolean } | { code: number; message: string } {
  try {
    const next = cloneDeep(doc) as Doc;
    const modified = update(next, modifier).length > 0;
    return { doc: next, modified };
  } catch (error) {
    const { code, message } = toCommandError(error);
    return { code, message };
  }
}

function viaServer(
  doc: Doc,
  modifier: Doc,
): { doc: Doc; modified: boolean } | { code: number; message: string } {
  try {
    const { doc: next, modified } = compileUpdate({ u: modifier })(doc);
    return { doc: next, modified };
  } catch (error) {
    const { code, message } = toCommandError(error);
    return { code, message };
  }
}

describe('operator updates built once per statement', () => {
  const operatorArb = fc.oneof(
    fc.record({ op: fc.constantFrom('$set', '$max', '$min'), value: fc.oneof(scalar, anyValue) }),
    fc.record({ op: fc.constantFrom('$inc', '$mul'), value: fc.integer({ min: -2, max: 2 }) }),
    fc.record({ op: fc.constant('$unset'), value: fc.constant('') }),
    fc.record({ op: fc.constantFrom('$push', '$addToSet'), value: scalar }),
    fc.record({ op: fc.constant('$pop'), value: fc.constantFrom(1, -1) }),
    fc.record({ op: fc.constant('$pullAll'), value: fc.array(scalar, { maxLength: 2 }) }),
  );
  const modifierArb = fc
    .array(fc.tuple(operatorArb, pathArb), { minLength: 1, maxLength: 3 })
    .map((parts) => {
      const modifier: Record<string, Doc> = {};
      for (const [{ op, value }, path] of parts) {
        modifier[op] ??= {};
        (modifier[op] as Doc)[path] = value;
      }
      return modifier as Doc;
    });

  test('give the document, the modified flag and the error mingo gives, and leave the stored version as it was', () => {
    fc.assert(
      fc.property(docArb, modifierArb, (bson, modifier) => {
        const doc = stored(bson);
        const result = viaServer(doc, modifier);
        const expected = viaMingo(stored(bson), modifier);
        expect(result).toEqual(expected);
        if ('doc' in result && 'doc' in expected) expect(bytes(result.doc)).toEqual(bytes(expected.doc));
        expect(bytes(doc)).toEqual(Buffer.from(bson).toString('hex'));
      }),
      { numRuns: 1500 },
    );
  });

  test('one built update applied to several documents changes each as mingo does, sharing nothing between them', () => {
    const apply = compileUpdate({ u: { $push: { 'a.list': 1 }, $set: { b: [] }, $inc: { 'c.n': 2 } } });
    const first = apply({ _id: 1, a: { list: [0] }, c: { n: 1 } });
    const second = apply({ _id: 2 });
    expect(first).toMatchObject({ doc: { _id: 1, a: { list: [0, 1] }, c: { n: 3 }, b: [] }, modified: true });
    expect(second).toMatchObject({ doc: { _id: 2, a: { list: [1] }, b: [], c: { n: 2 } }, modified: true });
    expect(first.fields).toEqual(new Set(['a', 'b', 'c']));
    (first.doc.b as unknown[]).push('x');
    expect(second.doc.b).toEqual([]);
  });
});

describe('find projections', () => {
  const projectionArb = fc.oneof(
    fc.dictionary(pathArb, fc.constantFrom(1, true, 0, false), { minKeys: 1, maxKeys: 3 }),
    fc.dictionary(pathArb, fc.constant(1), { minKeys: 1, maxKeys: 3 }),
  );

  test('give the documents (field order included) and the error mingo gives', () => {
    fc.assert(
      fc.property(fc.array(docArb, { maxLength: 3 }), projectionArb, (bsons, projection) => {
        const answer = (run: () => Doc[]): { docs: Doc[] } | { error: string } => {
          try {
            return { docs: run() };
          } catch (error) {
            return { error: toCommandError(error).message };
          }
        };
        const expected = answer(() => find(bsons.map(stored), {}, projection).all() as Doc[]);
        const actual = answer(() => projectDocs(bsons.map(stored), projection));
        expect(actual).toEqual(expected);
        if ('docs' in actual && 'docs' in expected) {
          expect(actual.docs.map(bytes)).toEqual(expected.docs.map(bytes));
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe('filters with $in', () => {
  const listArb = fc.array(fc.oneof(scalar, fc.constant(/^x/), fc.constant([1, 2])), { maxLength: 4 });
  const clauseArb = fc.tuple(pathArb, listArb).map(([path, list]) => ({ [path]: { $in: list } }) as Doc);
  const filterArb = fc.oneof(
    clauseArb,
    fc.tuple(clauseArb, clauseArb).map(([a, b]) => ({ $or: [a, b] })),
    fc.tuple(pathArb, listArb).map(([path, list]) => ({ [path]: { $exists: true, $in: list } }) as Doc),
  );

  test('match the documents mingo matches, the list hashed once for all of them', () => {
    fc.assert(
      fc.property(fc.array(docArb, { maxLength: 4 }), filterArb, (bsons, filter) => {
        const docs = bsons.map(stored);
        const ours = compileQuery(filter);
        const theirs = new Query(filter, {});
        expect(docs.map((d) => ours.test(d))).toEqual(docs.map((d) => theirs.test(d)));
      }),
      { numRuns: 1500 },
    );
  });
});
