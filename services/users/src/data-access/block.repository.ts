import { Types } from 'mongoose';
import type { BlockModel, BlockRecord } from './block.model.js';

/** A pair's current state as the domain needs it for a compare-and-set. */
export interface PairState {
  blocked: boolean;
  version: number;
  changedAt: Date;
}

export interface BlockChange {
  blockerId: string;
  blockedId: string;
  blocked: boolean;
  /** The version read before deciding (0: the pair has no document yet). */
  expectedVersion: number;
  event: { eventId: string; occurredAt: Date };
}

export interface BlockRepository {
  findPair(blockerId: string, blockedId: string): Promise<PairState | null>;
  /**
   * Writes the new state and appends its pending event in one atomic single-document write, only if the
   * pair is still at `expectedVersion`. Returns false when someone else changed it first.
   */
  recordChange(change: BlockChange): Promise<boolean>;
  /** Ids of every user `blockerId` currently blocks (one query). */
  listBlockedBy(blockerId: string): Promise<Set<string>>;
}

const DUPLICATE_KEY = 11000;

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === DUPLICATE_KEY;
}

function pairFilter(blockerId: string, blockedId: string) {
  return { blockerId: new Types.ObjectId(blockerId), blockedId: new Types.ObjectId(blockedId) };
}

async function insertFirstChange(model: BlockModel, change: BlockChange): Promise<boolean> {
  try {
    await model.create({
      ...pairFilter(change.blockerId, change.blockedId),
      blocked: change.blocked,
      version: 1,
      changedAt: change.event.occurredAt,
      outbox: [{ ...change.event, blocked: change.blocked }],
    });
    return true;
  } catch (err) {
    // Another request created the pair first: the caller re-reads and decides again.
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export function createBlockRepository(model: BlockModel): BlockRepository {
  return {
    async findPair(blockerId, blockedId) {
      const doc = await model
        .findOne(pairFilter(blockerId, blockedId), { blocked: 1, version: 1, changedAt: 1 })
        .lean<Pick<BlockRecord, 'blocked' | 'version' | 'changedAt'>>();
      return doc ? { blocked: doc.blocked, version: doc.version, changedAt: doc.changedAt } : null;
    },

    async recordChange(change) {
      if (change.expectedVersion === 0) return insertFirstChange(model, change);
      const result = await model.updateOne(
        { ...pairFilter(change.blockerId, change.blockedId), version: change.expectedVersion },
        {
          $set: { blocked: change.blocked, changedAt: change.event.occurredAt },
          $inc: { version: 1 },
          $push: { outbox: { ...change.event, blocked: change.blocked } },
        },
      );
      return result.matchedCount === 1;
    },

    async listBlockedBy(blockerId) {
      const docs = await model
        .find({ blockerId: new Types.ObjectId(blockerId), blocked: true }, { _id: 0, blockedId: 1 })
        .lean<Array<Pick<BlockRecord, 'blockedId'>>>();
      return new Set(docs.map((d) => d.blockedId.toHexString()));
    },
  };
}
