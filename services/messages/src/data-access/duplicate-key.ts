const DUPLICATE_KEY = 11000;

/** True for a MongoDB unique-index violation (E11000). */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === DUPLICATE_KEY;
}
