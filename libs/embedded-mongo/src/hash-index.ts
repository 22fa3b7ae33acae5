import { Query } from 'mingo';
import {
  duplicateKeyError,
  type IndexEntry,
  type IndexSpec,
  indexEntries,
  isAllMissing,
} from './index-spec.js';
import type { Doc } from './types.js';

/**
 * An index kept as a hash map from canonical key to the ids of the documents holding it, so equality
 * lookups cost O(matches) instead of a collection scan. Unique indexes use it to detect duplicates.
 */
export class HashIndex {
  readonly fields: string[];
  // Most keys have one holder: store its id directly and only grow a Set when a second arrives.
  private readonly map = new Map<string, string | Set<string>>();
  private readonly partial: Query | undefined;

  constructor(
    readonly spec: IndexSpec,
    private readonly ns: string,
  ) {
    this.fields = Object.keys(spec.key);
    const filter = spec.partialFilterExpression;
    this.partial = filter && typeof filter === 'object' ? new Query(filter as Doc, {}) : undefined;
  }

  /** `_id_` is unique without saying so, as in listIndexes output from mongod. */
  get unique(): boolean {
    return this.spec.unique === true || this.spec.name === '_id_';
  }

  /** True when some documents are deliberately left out, so a lookup could miss matches. */
  get isIncomplete(): boolean {
    return this.partial !== undefined || this.spec.sparse === true;
  }

  get size(): number {
    return this.map.size;
  }

  /** Keys of a document, or none when sparse/partial rules leave it out of the index. */
  entriesOf(doc: Doc): IndexEntry[] {
    if (this.partial && !this.partial.test(doc)) return [];
    const entries = indexEntries(doc, this.fields);
    if (this.spec.sparse === true) return entries.filter((e) => !isAllMissing(e));
    return entries;
  }

  /** Throws the E11000 error if another document (not `selfIdKey`) already holds one of these keys. */
  assertNoConflict(entries: IndexEntry[], selfIdKey: string | null): void {
    if (!this.unique) return;
    for (const entry of entries) {
      for (const holder of this.holders(entry.key)) {
        if (holder !== selfIdKey) throw duplicateKeyError(this.ns, this.spec, entry);
      }
    }
  }

  add(entries: IndexEntry[], idKey: string): void {
    for (const { key } of entries) {
      const holders = this.map.get(key);
      if (holders === undefined || holders === idKey) this.map.set(key, idKey);
      else if (typeof holders === 'string') this.map.set(key, new Set([holders, idKey]));
      else holders.add(idKey);
    }
  }

  remove(entries: IndexEntry[], idKey: string): void {
    for (const { key } of entries) {
      const holders = this.map.get(key);
      if (holders === idKey) this.map.delete(key);
      else if (holders instanceof Set) {
        holders.delete(idKey);
        if (holders.size === 0) this.map.delete(key);
      }
    }
  }

  /** Ids of documents holding any of the given full keys. */
  lookup(keys: string[]): Set<string> {
    const out = new Set<string>();
    for (const key of keys) {
      for (const id of this.holders(key)) out.add(id);
    }
    return out;
  }

  private holders(key: string): Iterable<string> {
    const holders = this.map.get(key);
    if (holders === undefined) return [];
    return typeof holders === 'string' ? [holders] : holders;
  }
}
