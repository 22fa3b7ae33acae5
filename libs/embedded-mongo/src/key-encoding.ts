import { isPlainObject } from './types.js';

interface BsonLike {
  _bsontype: string;
  toString(format?: string): string;
}

function isBsonValue(value: object): value is BsonLike {
  return typeof (value as Partial<BsonLike>)._bsontype === 'string';
}

/**
 * Canonical string for a value such that two values MongoDB treats as equal in an index get the same
 * string (1 and 1.0 and Long(1) alike; ObjectIds by bytes; Dates by time). Used as hash-index keys.
 */
export function encodeKey(value: unknown): string {
  if (value === undefined || value === null) return 'z';
  switch (typeof value) {
    case 'number':
      return `n:${Object.is(value, -0) ? 0 : value}`;
    case 'bigint':
      return `n:${value}`;
    case 'string':
      return `s:${value}`;
    case 'boolean':
      return value ? 'b:1' : 'b:0';
    case 'object':
      return encodeObject(value);
    default:
      return `x:${String(value)}`;
  }
}

function encodeObject(value: object): string {
  if (value instanceof Date) return `t:${value.getTime()}`;
  if (value instanceof RegExp) return `r:${value.source}/${value.flags}`;
  if (Array.isArray(value)) return `[${value.map(encodeKey).join(',')}]`;
  if (isBsonValue(value)) {
    const type = value._bsontype;
    if (type === 'ObjectId') return `o:${value.toString()}`;
    if (type === 'Long' || type === 'Int32' || type === 'Double') return `n:${value.toString()}`;
    if (type === 'Binary') return `B:${value.toString('base64')}`;
    return `${type}:${value.toString()}`;
  }
  if (value instanceof Uint8Array) return `B:${Buffer.from(value).toString('base64')}`;
  const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${encodeKey(v)}`);
  return `{${entries.join(',')}}`;
}

/** Formats a key value the way mongod prints it in E11000 messages: `{ email: "a@b.c" }`. */
export function formatKeyValue(keyValue: Record<string, unknown>): string {
  const parts = Object.entries(keyValue).map(([k, v]) => `${k}: ${formatValue(v)}`);
  return `{ ${parts.join(', ')} }`;
}

function formatValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object') return String(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (Array.isArray(value)) return `[ ${value.map(formatValue).join(', ')} ]`;
  if (isBsonValue(value)) {
    return value._bsontype === 'ObjectId' ? `ObjectId('${value.toString()}')` : value.toString();
  }
  if (isPlainObject(value)) return formatKeyValue(value);
  return String(value);
}
