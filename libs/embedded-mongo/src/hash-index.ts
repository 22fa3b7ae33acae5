import { Query } from 'mingo';
import {
  duplicateKeyError,
  type IndexEntry,
  type IndexSpec,
  indexEntries,
  isAllMissing,
  joinKeys,
} from './index-spec.js';
import { KeyMap } from './key-map.js';
import type { Doc } from './types.js';

/**
 * An index kept as a hash map from canonical key to the ids of the documents holding it, so equality
 * lookups cost O(matches) instead of a collection scan. Unique indexes use it to detect duplicates.
 * A compound index also keeps one map per proper prefix of its fields (`a`, then `a,b`, … for
 * `{ a, b, c }`), so a filter pinning only a prefix by equality reads just that prefix's documents.
 */
export class HashIndex {
  readonly fields: string[];
  private readonly full = new KeyMap();
  // prefixes[k - 1] maps the key of the first k fields; empty for single-field indexes.
  private readonly prefixes: KeyMap[];
  private readonly partial: Query | undefined;

  constructor(
    readonly spec: IndexSpec,
    private readonly ns: string,
  ) {
    this.fields = Object.keys(spec.key);
    this.prefixes = this.fields.slice(1).map(() => new KeyMap());
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
    return this.full.size;
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
      for (const holder of this.full.holders(entry.key)) {
        if (holder !== selfIdKey) throw duplicateKeyError(this.ns, this.spec, entry);
      }
    }
  }

  add(entries: IndexEntry[], idKey: string): void {
    for (const entry of entries) {
      this.full.add(entry.key, idKey);
      for (const [i, map] of this.prefixes.entries()) map.add(prefixKey(entry, i + 1), idKey);
    }
  }

  /** Removes all of a document's entries at once (a multikey doc's entries may share prefixes). */
  remove(entries: IndexEntry[], idKey: string): void {
    for (const entry of entries) {
      this.full.remove(entry.key, idKey);
      for (const [i, map] of this.prefixes.entries()) map.remove(prefixKey(entry, i + 1), idKey);
    }
  }

  /** Ids of documents holding any of the given keys of the first `pinned` fields (all by default). */
  lookup(keys: string[], pinned = this.fields.length): Set<string> {
    const map = pinned >= this.fields.length ? this.full : this.prefixes[pinned - 1];
    if (!map) throw new Error(`index ${this.spec.name} has no prefix of ${pinned} fields`);
    const out = new Set<string>();
    for (const key of keys) {
      for (const id of map.holders(key)) out.add(id);
    }
    return out;
  }
}

function prefixKey(entry: IndexEntry, length: number): string {
  return joinKeys(entry.parts.slice(0, length));
}
