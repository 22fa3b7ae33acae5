import { ObjectId } from 'bson';
import { Query } from 'mingo';
import { badValue, immutableField } from './errors.js';
import { HashIndex } from './hash-index.js';
import type { IndexEntry, IndexSpec } from './index-spec.js';
import { encodeKey } from './key-encoding.js';
import { planQuery } from './query-planner.js';
import type { Doc } from './types.js';

/** What the last selection did, reported by `explain`. */
export interface SelectionStats {
  stage: 'IDHACK' | 'IXSCAN' | 'COLLSCAN';
  indexName: string | null;
  docsExamined: number;
  keysExamined: number;
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
  readonly indexes = new Map<string, HashIndex>();
  /** Documents examined by queries since creation; lets tests prove index use without timings. */
  docsExamined = 0;
  lastStats: SelectionStats = { stage: 'COLLSCAN', indexName: null, docsExamined: 0, keysExamined: 0 };

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Doc = {},
  ) {
    this.indexes.set(ID_INDEX.name, new HashIndex({ ...ID_INDEX }, this.ns));
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
    this.docs.set(idKey, doc);
    this.seqs.set(idKey, this.nextSeq++);
    for (const [index, keys] of entries) index.add(keys, idKey);
    return doc;
  }

  /** Swaps a stored document for its updated version, enforcing unique indexes first. */
  replace(oldDoc: Doc, newDoc: Doc): void {
    const idKey = idKeyOf(oldDoc);
    if (encodeKey(newDoc._id) !== idKey) {
      throw immutableField('_id');
    }
    const entries = this.entriesOf(newDoc);
    for (const [index, keys] of entries) index.assertNoConflict(keys, idKey);
    for (const [index, keys] of this.entriesOf(oldDoc)) index.remove(keys, idKey);
    this.docs.set(idKey, newDoc);
    for (const [index, keys] of entries) index.add(keys, idKey);
  }

  remove(doc: Doc): void {
    const idKey = idKeyOf(doc);
    for (const [index, keys] of this.entriesOf(doc)) index.remove(keys, idKey);
    this.docs.delete(idKey);
    this.seqs.delete(idKey);
  }

  /** Matching documents in natural order, found through a hash index when the filter allows it. */
  select(filter: Doc): Doc[] {
    const query = new Query(filter, {});
    const plan = planQuery(filter, this.indexes.values());
    const candidates = plan ? this.fetch(plan.index.lookup(plan.keys, plan.pinned)) : this.all();
    this.docsExamined += candidates.length;
    this.lastStats = {
      stage: plan ? (plan.index.spec.name === '_id_' ? 'IDHACK' : 'IXSCAN') : 'COLLSCAN',
      indexName: plan ? plan.index.spec.name : null,
      docsExamined: candidates.length,
      keysExamined: plan ? candidates.length : 0,
    };
    return candidates.filter((doc) => query.test(doc));
  }

  createIndex(spec: IndexSpec): void {
    const index = new HashIndex(spec, this.ns);
    for (const [idKey, doc] of this.docs) {
      const keys = index.entriesOf(doc);
      index.assertNoConflict(keys, null);
      index.add(keys, idKey);
    }
    this.indexes.set(spec.name, index);
  }

  private entriesOf(doc: Doc): Array<[HashIndex, IndexEntry[]]> {
    return [...this.indexes.values()].map((index) => [index, index.entriesOf(doc)]);
  }

  private fetch(ids: Set<string>): Doc[] {
    // Keep natural (insertion) order so results match a collection scan.
    const found: Doc[] = [];
    for (const id of ids) {
      const doc = this.docs.get(id);
      if (doc) found.push(doc);
    }
    const seq = (doc: Doc) => this.seqs.get(idKeyOf(doc)) ?? 0;
    return found.length > 1 ? found.sort((a, b) => seq(a) - seq(b)) : found;
  }
}

export function idKeyOf(doc: Doc): string {
  return encodeKey(doc._id);
}

function withIdFirst(input: Doc): Doc {
  if (Array.isArray(input._id)) throw badValue("can't use an array for _id");
  const { _id, ...rest } = input;
  return { _id: _id === undefined ? new ObjectId() : _id, ...rest };
}
