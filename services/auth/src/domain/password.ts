import { randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';

/** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated. */
export const MAX_PASSWORD_BYTES = 72;

export function passwordByteLength(password: string): number {
  return Buffer.byteLength(password, 'utf8');
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** True when `hash` was made at a lower cost than the configured one (BCRYPT_COST has risen since). */
  needsRehash(hash: string): boolean;
  /** Spends the same time as `verify` against a hash nobody owns, so an unknown user is not faster. */
  verifyAgainstDummy(password: string): Promise<false>;
}

export async function createPasswordHasher(cost: number): Promise<PasswordHasher> {
  // Same cost as real hashes, so the dummy comparison takes as long as a real one.
  const dummyHash = await bcrypt.hash(randomUUID(), cost);
  return {
    hash: (password) => bcrypt.hash(password, cost),
    verify: (password, hash) => bcrypt.compare(password, hash),
    needsRehash: (hash) => bcrypt.getRounds(hash) < cost,
    async verifyAgainstDummy(password) {
      await bcrypt.compare(password, dummyHash);
      return false;
    },
  };
}
