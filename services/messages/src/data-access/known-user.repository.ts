import { LRUCache } from 'lru-cache';
import { Types } from 'mongoose';
import { isDuplicateKey } from './duplicate-key.js';
import type { KnownUserModel } from './known-user.model.js';

export interface KnownUserRepository {
  /** Record that `userId` exists; a second call changes nothing. */
  remember(userId: string, registeredAt: Date): Promise<void>;
  exists(userId: string): Promise<boolean>;
}

/** How many known user ids are kept in memory (an id and a flag each). */
const CACHE_SIZE = 100_000;

/**
 * Known users are an append-only fact (nothing ever forgets a user), so a user found once is remembered in
 * a bounded in-process cache and a send to them costs no read. Unknown ids are never cached: a user
 * registered a moment later must be accepted.
 */
export function createKnownUserRepository(
  model: KnownUserModel,
  cacheSize = CACHE_SIZE,
): KnownUserRepository {
  const known = new LRUCache<string, true>({ max: cacheSize });
  return {
    async remember(userId, registeredAt) {
      try {
        await model.updateOne(
          { _id: new Types.ObjectId(userId) },
          { $setOnInsert: { registeredAt } },
          { upsert: true },
        );
      } catch (err) {
        // Two deliveries raced on the insert: the other one stored it.
        if (!isDuplicateKey(err)) throw err;
      }
      known.set(userId, true);
    },
    async exists(userId) {
      if (known.has(userId)) return true;
      const found = await model.collection.findOne(
        { _id: new Types.ObjectId(userId) },
        { projection: { _id: 1 } },
      );
      if (found === null) return false;
      known.set(userId, true);
      return true;
    },
  };
}
