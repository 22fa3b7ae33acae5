import { Types } from 'mongoose';
import { isDuplicateKey } from './duplicate-key.js';
import type { KnownUserModel } from './known-user.model.js';

export interface KnownUserRepository {
  /** Record that `userId` exists; a second call changes nothing. */
  remember(userId: string, registeredAt: Date): Promise<void>;
  exists(userId: string): Promise<boolean>;
}

export function createKnownUserRepository(model: KnownUserModel): KnownUserRepository {
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
    },
    async exists(userId) {
      const found = await model.exists({ _id: new Types.ObjectId(userId) });
      return found !== null;
    },
  };
}
