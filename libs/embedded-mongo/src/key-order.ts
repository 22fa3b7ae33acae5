/**
 * Order-preserving string encoding of index key values: comparing two encodings with `<` (JavaScript string
 * order) gives BSON order, so an ordered index compares pre-encoded strings instead of values. The first
 * character is the BSON type class, in MongoDB's order (MinKey, null/missing, numbers, strings, objects,
 * arrays, binary, ObjectId, booleans, dates, timestamps, regular expressions, MaxKey); within a class the rest
 * sorts like the values. Strings compare by UTF-16 code units, as the query engine (mingo) compares them.
 * Embedded documents and arrays as whole values (rare in index keys) compare field by field, approximately.
 */

interface BsonLike {
  _bsontype: string;
  toString(format?: string): string;
}

function isBsonValue(value: object): value is BsonLike {
  return typeof (value as Partial<BsonLike>)._bsontype === 'string';
}

/** Type classes, in BSON order. */
const TAG = {
  minKey: '0',
  null: '1',
  number: '2',
  string: '3',
  object: '4',
  array: '5',
  binary: '6',
  objectId: '7',
  boolean: '8',
  date: '9',
  timestamp: ':',
  regex: ';',
  other: '<',
  maxKey: '~',
} as const;

/** Sorts before every encoded value. */
export const LOWEST = '';
/** Sorts after every encoded value. */
export const HIGHEST = '\uffff';

const view = new DataView(new ArrayBuffer(8));

/** 16 hex digits ordered like the doubles they encode (sign bit flipped; negatives fully inverted). */
function doubleDigits(n: number): string {
  view.setFloat64(0, n === 0 ? 0 : n); // -0 is 0
  let hi = view.getUint32(0);
  let lo = view.getUint32(4);
  if (hi & 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi | 0x80000000) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

function numberKey(n: number): string {
  // NaN sorts before every other number in MongoDB; '#' sorts before any hex digit.
  return Number.isNaN(n) ? `${TAG.number}#` : TAG.number + doubleDigits(n);
}

/** The order-preserving encoding of one value (missing and null alike). */
export function orderKey(value: unknown): string {
  if (value === undefined || value === null) return TAG.null;
  switch (typeof value) {
    case 'number':
      return numberKey(value);
    case 'bigint':
      return numberKey(Number(value));
    case 'string':
      return TAG.string + value;
    case 'boolean':
      return value ? `${TAG.boolean}1` : `${TAG.boolean}0`;
    case 'object':
      return objectKey(value);
    default:
      return TAG.other + String(value);
  }
}

function objectKey(value: object): string {
  if (value instanceof Date) {
    const time = value.getTime();
    return TAG.date + (Number.isNaN(time) ? '#' : doubleDigits(time));
  }
  if (value instanceof RegExp) return `${TAG.regex}${value.source}\u0000${value.flags}`;
  if (Array.isArray(value)) return TAG.array + value.map((v) => `${orderKey(v)}\u0000`).join('');
  if (isBsonValue(value)) return bsonKey(value);
  if (value instanceof Uint8Array) return binaryKey(value, 0);
  const fields = Object.entries(value).map(([k, v]) => `${k}\u0000${orderKey(v)}\u0000`);
  return TAG.object + fields.join('');
}

function bsonKey(value: BsonLike): string {
  switch (value._bsontype) {
    case 'ObjectId':
      return TAG.objectId + value.toString();
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return numberKey(Number(value.toString()));
    case 'BSONSymbol':
      return TAG.string + value.toString();
    case 'Binary': {
      const binary = value as BsonLike & { buffer: Uint8Array; sub_type: number };
      return binaryKey(binary.buffer, binary.sub_type);
    }
    case 'Timestamp': {
      const ts = value as BsonLike & { t: number; i: number };
      return TAG.timestamp + hex8(ts.t) + hex8(ts.i);
    }
    case 'BSONRegExp': {
      const re = value as BsonLike & { pattern: string; options: string };
      return `${TAG.regex}${re.pattern}\u0000${re.options}`;
    }
    case 'MinKey':
      return TAG.minKey;
    case 'MaxKey':
      return TAG.maxKey;
    default:
      return TAG.other + value.toString();
  }
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** MongoDB orders binary data by length, then subtype, then bytes. */
function binaryKey(bytes: Uint8Array, subtype: number): string {
  return (
    TAG.binary +
    hex8(bytes.length) +
    (subtype & 0xff).toString(16).padStart(2, '0') +
    Buffer.from(bytes).toString('hex')
  );
}

/**
 * The bounds of a value's type class: every encoding of the same class sorts within them. MongoDB brackets
 * range predicates by type (`{ $lt: ObjectId(…) }` matches only ObjectIds), and so does the query engine.
 */
export function typeBracket(encoded: string): { low: string; high: string } {
  const tag = encoded.charAt(0);
  return { low: tag, high: tag + HIGHEST };
}
