import { ObjectId } from 'bson';
import { CollectionIndex } from './collection-index.js';
import { badValue, immutableField } from './errors.js';
import type { IndexEntry, IndexSpec } from './index-spec.js';
import { encodeKey } from './key-encoding.js';
import { compileQuery } from './mingo-query.js';
import { isPointLookup, type OrderedPlan, planOrdered, planQuery, type SortSpec } from './query-planner.js';
import type { Doc } from './types.js';

/** What the last selection did, reported by `explain`. */
export interface SelectionStats {
  stage: 'IDHACK' | 'IXSCAN' | 'COLLSCAN';
  indexName: string | null;
  docsExamined: number;
  keysExamined: number;
  /** Whether the documents came out of the index in the requested sort order (no in-memory sort). */
  sortedByIndex: boolean;
  direction: 'forward' | 'backward' | null;
}

const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/**
 * One in-memory collection. Stored documents are never mutated in place: updates swap in a new object,
 * so open cursors keep the version they read and a rejected update leaves nothing half-applied.
 */
export class Collection {
  private readonly docs = new Map<string, Doc>();
  private readonly seqs = new Map<string, number>();
  private nextSeq = 0;
  readonly indexes = new Map<string, CollectionIndex>();
  /** Documents examined by queries since creation; lets tests prove index use without timings. */
  docsExamined = 0;
  lastStats: SelectionStats = {
    stage: 'COLLSCAN',
    indexName: null,
    docsExamined: 0,
    keysExamined: 0,
    sortedByIndex: false,
    direction: null,
  };

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Doc = {},
  ) {
    this.indexes.set(ID_INDEX.name, new CollectionIndex({ ...ID_INDEX }, this.ns));
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get count(): number {
    return this.docs.size;
  }

  all(): Doc[] {
    return [...this.docs.values()];
  }

  /** Inserts a document, giving it an ObjectId `_id` (first field) when it has none. */
  insert(input: Doc): Doc {
    const doc = withIdFirst(input);
    const idKey = idKeyOf(doc);
    const entries = this.entriesOf(doc);
    for (const [index, keys] of entries) index.assertNoConflict(keys, null);
    const seq = this.nextSeq++;
    this.docs.set(idKey, doc);
    this.seqs.set(idKey, seq);
    for (const [index, keys] of entries) index.add(keys, idKey, seq);
    return doc;
  }

  /**
   * Swaps a stored document for its updated version, enforcing unique indexes first. Indexes whose keys
   * the update left as they were are not touched (most updates change one or two indexed fields); with
   * the top-level `fields` the update can have changed, indexes on none of them are not even looked at.
   */
  replace(oldDoc: Doc, newDoc: Doc, fields?: ReadonlySet<string>): void {
    const idKey = idKeyOf(oldDoc);
    if (encodeKey(newDoc._id) !== idKey) {
      throw immutableField('_id');
    }
    const seq = this.seqOf(idKey);
    const changed: Array<[CollectionIndex, IndexEntry[], IndexEntry[]]> = [];
    for (const index of this.indexes.values()) {
      if (fields && index.keptBy(fields)) continue;
      const before = index.entriesOf(oldDoc);
      const after = index.entriesOf(newDoc);
      if (sameEntries(before, after)) continue;
      index.assertNoConflict(after, idKey);
      changed.push([index, before, after]);
    }
    for (const [index, before] of changed) index.remove(before, idKey, seq);
    this.docs.set(idKey, newDoc);
    for (const [index, , after] of changed) index.add(after, idKey, seq);
  }

  remove(doc: Doc): void {
    const idKey = idKeyOf(doc);
    const seq = this.seqOf(idKey);
    for (const [index, keys] of this.entriesOf(doc)) index.remove(keys, idKey, seq);
    this.docs.delete(idKey);
    this.seqs.delete(idKey);
  }

  /** Matching documents in natural order, found through an index when the filter allows it. */
  select(filter: Doc): Doc[] {
    const query = compileQuery(filter);
    const plan = planQuery(filter, this.indexes.values());
    let candidates: Doc[];
    if (!plan) candidates = this.all();
    else if (plan.pinned === plan.index.fields.length) candidates = this.fetch(plan.index.lookup(plan.keys));
    else candidates = this.fetch(plan.index.lookupPrefix(plan.prefixes));
    this.docsExamined += candidates.length;
    this.lastStats = {
      stage: plan ? (plan.index.spec.name === '_id_' ? 'IDHACK' : 'IXSCAN') : 'COLLSCAN',
      indexName: plan ? plan.index.spec.name : null,
      docsExamined: candidates.length,
      keysExamined: plan ? candidates.length : 0,
      sortedByIndex: false,
      direction: plan ? 'forward' : null,
    };
    return candidates.filter((doc) => query.test(doc));
  }

  /**
   * The first `want` matches in `sort` order read straight off an index, when one gives that order and no
   * point lookup (a full unique key) is better; null otherwise (select, then sort in memory). Reading
   * stops at `want` matches, so a page costs O(log n + documents examined).
   */
  selectSorted(filter: Doc, sort: SortSpec, want: number): Doc[] | null {
    const point = planQuery(filter, this.indexes.values());
    if (point && isPointLookup(point)) return null;
    const plan = planOrdered(filter, sort, this.indexes.values());
    // An equality lookup pinning more fields than the walk would read fewer documents.
    if (!plan || (point && point.pinned > plan.pinned)) return null;
    return this.walk(plan, filter, want);
  }

  private walk(plan: OrderedPlan, filter: Doc, want: number): Doc[] {
    const query = compileQuery(filter);
    const { index } = plan;
    const seen = index.multikey.some(Boolean) ? new Set<string>() : undefined;
    const out: Doc[] = [];
    let keys = 0;
    let examined = 0;
    for (const id of index.scan(plan.prefix, plan.range, plan.backward)) {
      keys++;
      if (seen) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      const doc = this.docs.get(id);
      if (!doc) continue;
      examined++;
      if (query.test(doc)) {
        out.push(doc);
        if (out.length >= want) break;
      }
    }
    this.docsExamined += examined;
    this.lastStats = {
      stage: 'IXSCAN',
      indexName: index.spec.name,
      docsExamined: examined,
      keysExamined: keys,
      sortedByIndex: true,
      direction: plan.backward ? 'backward' : 'forward',
    };
    return out;
  }

  createIndex(spec: IndexSpec): void {
    const index = new CollectionIndex(spec, this.ns);
    for (const [idKey, doc] of this.docs) {
      const keys = index.entriesOf(doc);
      index.assertNoConflict(keys, null);
      index.add(keys, idKey, this.seqOf(idKey));
    }
    this.indexes.set(spec.name, index);
  }

  private seqOf(idKey: string): number {
    const seq = this.seqs.get(idKey);
    if (seq === undefined) throw new Error(`no sequence for stored document ${idKey}`);
    return seq;
  }

  private entriesOf(doc: Doc): Array<[CollectionIndex, IndexEntry[]]> {
    const out: Array<[CollectionIndex, IndexEntry[]]> = [];
    for (const index of this.indexes.values()) out.push([index, index.entriesOf(doc)]);
    return out;
  }

  private fetch(ids: Set<string>): Doc[] {
    // Keep natural (insertion) order so results match a collection scan.
    const found: Array<[number, Doc]> = [];
    for (const id of ids) {
      const doc = this.docs.get(id);
      const seq = this.seqs.get(id);
      if (doc && seq !== undefined) found.push([seq, doc]);
    }
    if (found.length > 1) found.sort((a, b) => a[0] - b[0]);
    return found.map(([, doc]) => doc);
  }
}

/** Whether two lists of index entries put a document at the same places (keys and order encodings). */
function sameEntries(a: IndexEntry[], b: IndexEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as IndexEntry;
    const y = b[i] as IndexEntry;
    if (x.key !== y.key || x.order.length !== y.order.length) return false;
    for (let j = 0; j < x.order.length; j++) if (x.order[j] !== y.order[j]) return false;
  }
  return true;
}

export function idKeyOf(doc: Doc): string {
  return encodeKey(doc._id);
}

function withIdFirst(input: Doc): Doc {
  if (Array.isArray(input._id)) throw badValue("can't use an array for _id");
  const { _id, ...rest } = input;
  return { _id: _id === undefined ? new ObjectId() : _id, ...rest };
}
