import { createRequire } from 'node:module';
import type { Query } from 'mingo/query';
import type * as SortedBtree from 'sorted-btree';
import {
  duplicateKeyError,
  type IndexEntry,
  type IndexSpec,
  indexEntries,
  isAllMissing,
} from './index-spec.js';
import { KeyMap } from './key-map.js';
import { HIGHEST, LOWEST } from './key-order.js';
import { compileQuery } from './mingo-query.js';
import type { Doc } from './types.js';

// sorted-btree is CommonJS with the class as `exports.default`; require() reads it the same way under
// Node and under the test runner's module interop.
const { default: BTree } = createRequire(import.meta.url)('sorted-btree') as typeof SortedBtree.default;

/** A position in the ordered index: each field's order-preserving encoding, then the document's sequence. */
interface OrderedKey {
  parts: readonly string[];
  /** Insertion sequence of the document: ties sort like record ids in mongod. ±Infinity in bounds. */
  seq: number;
}

/** One end of a range on an index field, in value order (encoded with `orderKey`). */
export interface Bound {
  key: string;
  inclusive: boolean;
}

/** A range of values on the first field after a scan's equality prefix; either end may be open. */
export interface KeyRange {
  low?: Bound;
  high?: Bound;
}

/**
 * One index of a collection, kept two ways: a hash map from the full canonical key to the ids holding it
 * (equality lookups and unique checks in O(1)), and a B-tree of (encoded fields…, sequence) → id in the
 * index's own order (directions included), which answers prefix lookups, ranges and sorts by walking it:
 * a page is O(log n + documents read), as on mongod.
 */
export class CollectionIndex {
  readonly fields: string[];
  /** 1 or -1 per field, from the key pattern (non-numeric kinds such as 'text' count as ascending). */
  readonly directions: Array<1 | -1>;
  /** Per field: whether some document ever gave it several values (an array), as mongod tracks it. */
  readonly multikey: boolean[];
  /** The top-level field each indexed path starts with. */
  private readonly roots: string[];
  private readonly full = new KeyMap();
  private readonly tree;
  private readonly partial: Query | undefined;

  constructor(
    readonly spec: IndexSpec,
    private readonly ns: string,
  ) {
    this.fields = Object.keys(spec.key);
    this.directions = this.fields.map((f) => (Number(spec.key[f]) < 0 ? -1 : 1));
    this.multikey = this.fields.map(() => false);
    this.roots = this.fields.map((f) => f.split('.')[0] as string);
    this.tree = new BTree<OrderedKey, string>(undefined, (a, b) => this.compare(a, b));
    const filter = spec.partialFilterExpression;
    this.partial = filter && typeof filter === 'object' ? compileQuery(filter as Doc) : undefined;
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

  /**
   * True when a change confined to these top-level fields leaves this index's entries for any document as
   * they were: none of its fields lies under them, and no partial filter (which could read them) decides
   * membership.
   */
  keptBy(fields: ReadonlySet<string>): boolean {
    return this.partial === undefined && this.roots.every((root) => !fields.has(root));
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

  add(entries: IndexEntry[], idKey: string, seq: number): void {
    if (entries.length > 1 || entries[0]?.values.some(Array.isArray)) this.markMultikey(entries);
    for (const entry of entries) {
      this.full.add(entry.key, idKey);
      this.tree.set({ parts: entry.order, seq }, idKey);
    }
  }

  /** Removes all of a document's entries at once. */
  remove(entries: IndexEntry[], idKey: string, seq: number): void {
    for (const entry of entries) {
      this.full.remove(entry.key, idKey);
      this.tree.delete({ parts: entry.order, seq });
    }
  }

  /** Ids of documents holding any of these full keys (canonical strings). */
  lookup(keys: string[]): Set<string> {
    const out = new Set<string>();
    for (const key of keys) {
      for (const id of this.full.holders(key)) out.add(id);
    }
    return out;
  }

  /** Ids of documents whose leading fields hold one of these prefixes (order encodings, field by field). */
  lookupPrefix(prefixes: string[][]): Set<string> {
    const out = new Set<string>();
    for (const prefix of prefixes) {
      for (const id of this.scan(prefix, undefined, false)) out.add(id);
    }
    return out;
  }

  /**
   * Walks the entries whose leading fields equal `prefix` and whose next field lies in `range`, in index
   * order (or backwards), yielding document ids; stops as soon as the caller stops pulling. A multikey
   * document can come up more than once.
   */
  *scan(prefix: readonly string[], range: KeyRange | undefined, backward: boolean): Generator<string> {
    const at = prefix.length;
    const ascending = this.directions[at] !== -1;
    // In index order a descending field runs from its high values to its low ones.
    const first = ascending ? range?.low : range?.high;
    const last = ascending ? range?.high : range?.low;
    const start = this.boundKey(prefix, first, true);
    const end = this.boundKey(prefix, last, false);
    if (!backward) {
      for (const [key, id] of this.tree.entries(start)) {
        if (this.compare(key, end) > 0) return;
        yield id;
      }
    } else {
      for (const [key, id] of this.tree.entriesReversed(end)) {
        if (this.compare(key, start) < 0) return;
        yield id;
      }
    }
  }

  /**
   * The key just before (`isStart`) or just after the entries of `prefix` + `bound`; never a stored key,
   * since its sequence is ±Infinity. Fields past the bound get the lowest or highest sentinel in index order.
   */
  private boundKey(prefix: readonly string[], bound: Bound | undefined, isStart: boolean): OrderedKey {
    const parts = [...prefix];
    // Before every entry of the bound's value (inclusive start, exclusive end), or after all of them.
    const before = bound ? bound.inclusive === isStart : isStart;
    if (parts.length < this.fields.length) {
      parts.push(bound ? bound.key : this.sentinel(parts.length, before));
    }
    while (parts.length < this.fields.length) parts.push(this.sentinel(parts.length, before));
    return { parts, seq: before ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY };
  }

  /** The encoding that comes first (or last) in index order for field `i`. */
  private sentinel(i: number, first: boolean): string {
    const ascending = this.directions[i] !== -1;
    return first === ascending ? LOWEST : HIGHEST;
  }

  private compare(a: OrderedKey, b: OrderedKey): number {
    const n = this.fields.length;
    for (let i = 0; i < n; i++) {
      const x = a.parts[i] as string;
      const y = b.parts[i] as string;
      if (x !== y) return (x < y ? -1 : 1) * (this.directions[i] as number);
    }
    return a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
  }

  /** Flags the fields that hold several values (or an empty array) in this document. */
  private markMultikey(entries: IndexEntry[]): void {
    const first = entries[0];
    if (!first) return;
    for (let i = 0; i < this.fields.length; i++) {
      if (this.multikey[i]) continue;
      this.multikey[i] = entries.some((e) => e.order[i] !== first.order[i] || Array.isArray(e.values[i]));
    }
  }
}
