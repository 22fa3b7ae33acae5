import { CommandError } from './errors.js';
import { encodeKey, formatKeyValue } from './key-encoding.js';
import { orderKey } from './key-order.js';
import type { Doc } from './types.js';

/** An index as listIndexes shows it: `{ v: 2, key, name, unique?, sparse?, partialFilterExpression?, … }`. */
export interface IndexSpec extends Doc {
  v: number;
  key: Record<string, unknown>;
  name: string;
}

/**
 * One key a document contributes to an index: the canonical string (equality and uniqueness), the
 * order-preserving encoding of each field (position in the ordered index) and the values it came from.
 */
export interface IndexEntry {
  key: string;
  order: string[];
  values: unknown[];
}

/** Values a dotted path reaches in a document, descending into arrays (multikey) like mongod does. */
export function pathValues(doc: unknown, path: string): unknown[] {
  if (!path.includes('.') && doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    const value = (doc as Doc)[path];
    if (!Array.isArray(value)) return [value];
  }
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out.length > 0 ? out : [undefined];
}

function collect(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (Array.isArray(value)) {
      if (value.length === 0) out.push([]);
      else out.push(...value);
    } else out.push(value);
    return;
  }
  const part = parts[i] ?? '';
  if (Array.isArray(value)) {
    if (/^\d+$/.test(part)) collect(value[Number(part)], parts, i + 1, out);
    for (const element of value) {
      if (element !== null && typeof element === 'object' && !Array.isArray(element)) {
        collect(element, parts, i, out);
      }
    }
    return;
  }
  if (value !== null && typeof value === 'object') {
    collect((value as Doc)[part], parts, i + 1, out);
    return;
  }
  out.push(undefined);
}

/** All (field → value) combinations of a document for an index key pattern; compound keys multiply. */
export function indexEntries(doc: Doc, fields: string[]): IndexEntry[] {
  const single = singleEntry(doc, fields);
  if (single) return [single];
  if (fields.length === 1) {
    const values = pathValues(doc, fields[0] ?? '');
    if (values.length === 1) {
      const value = values[0];
      return [{ key: encodeKey(value), order: [orderKey(value)], values: [value ?? null] }];
    }
    return [...distinctValues(values)].map(([key, value]) => ({
      key,
      order: [orderKey(value)],
      values: [value],
    }));
  }
  let combos: Array<{ keys: string[]; order: string[]; values: unknown[] }> = [
    { keys: [], order: [], values: [] },
  ];
  for (const field of fields) {
    const distinct = [...distinctValues(pathValues(doc, field))].map(
      ([key, value]) => [key, orderKey(value), value] as const,
    );
    combos = combos.flatMap((combo) =>
      distinct.map(([key, order, value]) => ({
        keys: [...combo.keys, key],
        order: [...combo.order, order],
        values: [...combo.values, value],
      })),
    );
  }
  return combos.map((c) => ({ key: joinKeys(c.keys), order: c.order, values: c.values }));
}

/** The common case without arrays: one value per field, one entry, built without intermediate lists. */
function singleEntry(doc: Doc, fields: string[]): IndexEntry | undefined {
  const n = fields.length;
  const keys = new Array<string>(n);
  const order = new Array<string>(n);
  const values = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const found = pathValues(doc, fields[i] as string);
    if (found.length !== 1) return undefined;
    const value = found[0];
    if (Array.isArray(value)) return undefined;
    keys[i] = encodeKey(value);
    order[i] = orderKey(value);
    values[i] = value ?? null;
  }
  return { key: n === 1 ? (keys[0] as string) : joinKeys(keys), order, values };
}

function distinctValues(values: unknown[]): Map<string, unknown> {
  const distinct = new Map<string, unknown>();
  for (const v of values) distinct.set(encodeKey(v), v === undefined ? null : v);
  return distinct;
}

/** The full key string for a tuple of already-encoded field keys. */
export function joinKeys(keys: string[]): string {
  return keys.join('\u0000');
}

export function isAllMissing(entry: IndexEntry): boolean {
  return entry.values.every((v) => v === null);
}

/** mongod's duplicate-key write error: code 11000 with keyPattern and keyValue. */
export function duplicateKeyError(ns: string, spec: IndexSpec, entry: IndexEntry): CommandError {
  const fields = Object.keys(spec.key);
  const keyValue: Doc = {};
  fields.forEach((f, i) => {
    keyValue[f] = entry.values[i] ?? null;
  });
  const keyPattern: Doc = { ...spec.key };
  const message = `E11000 duplicate key error collection: ${ns} index: ${spec.name} dup key: ${formatKeyValue(keyValue)}`;
  return new CommandError(11000, 'DuplicateKey', message, { keyPattern, keyValue });
}

/** Default index name, as the drivers and mongod build it: `a_1_b_-1`. */
export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${String(v)}`)
    .join('_');
}
