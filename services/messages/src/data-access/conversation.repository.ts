import { Types } from 'mongoose';
import type { ConversationModel } from './conversation.model.js';
import { isDuplicateKey } from './duplicate-key.js';

export interface ConversationRepository {
  /** The id of the conversation with `pairKey`, created (once, even under concurrency) if missing. */
  open(pairKey: string, participants: [string, string], at: Date): Promise<string>;
  findIdByPairKey(pairKey: string): Promise<string | null>;
}

export function createConversationRepository(model: ConversationModel): ConversationRepository {
  const touch = (pairKey: string, participants: [string, string], at: Date, upsert: boolean) =>
    model
      .findOneAndUpdate(
        { pairKey },
        {
          $setOnInsert: { participants: participants.map((id) => new Types.ObjectId(id)) },
          $max: { lastMessageAt: at },
        },
        { upsert, returnDocument: 'after', projection: { _id: 1 } },
      )
      .lean();

  return {
    async open(pairKey, participants, at) {
      try {
        const doc = await touch(pairKey, participants, at, true);
        if (doc) return doc._id.toHexString();
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      // A concurrent first message won the insert; the unique pairKey index guarantees it is the only one.
      const doc = await touch(pairKey, participants, at, false);
      if (!doc) throw new Error(`conversation ${pairKey} vanished after a duplicate-key upsert`);
      return doc._id.toHexString();
    },
    async findIdByPairKey(pairKey) {
      const doc = await model.findOne({ pairKey }, { _id: 1 }).lean();
      return doc ? doc._id.toHexString() : null;
    },
  };
}
