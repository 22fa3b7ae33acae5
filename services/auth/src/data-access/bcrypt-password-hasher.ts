import { randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { PasswordHasher } from '../domain/password.js';

/** The domain's PasswordHasher with bcrypt at `cost` rounds (BCRYPT_COST). */
export async function createBcryptPasswordHasher(cost: number): Promise<PasswordHasher> {
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
