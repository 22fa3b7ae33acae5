import type { UserBlockedEvent } from '@chat/shared/events';
import type { OutboxEntry, OutboxStore } from '@chat/shared/messaging';
import { claimPending, LEASE_FIELDS, type OutboxLease, releaseLeased } from '@chat/shared/mongo';
import { type mongo, Types } from 'mongoose';
import type { BlockModel, BlockRecord, PendingBlockEvent } from './block.model.js';

type PendingPair = Pick<BlockRecord, '_id' | 'blockerId' | 'blockedId' | 'outbox'>;

const SEPARATOR = '/';

function toEntry(pair: PendingPair, pending: PendingBlockEvent): OutboxEntry {
  const payload: UserBlockedEvent = {
    eventId: pending.eventId,
    occurredAt: pending.occurredAt.toISOString(),
    blockerId: pair.blockerId.toHexString(),
    blockedId: pair.blockedId.toHexString(),
  };
  return {
    id: `${pair._id.toHexString()}${SEPARATOR}${pending.eventId}`,
    routingKey: pending.blocked ? 'user.blocked' : 'user.unblocked',
    payload,
  };
}

/** Entry ids grouped by the pair document they belong to. */
function groupByPair(ids: string[]): Map<string, string[]> {
  const byPair = new Map<string, string[]>();
  for (const id of ids) {
    const [pairId, eventId] = id.split(SEPARATOR);
    if (!pairId || !eventId) continue;
    byPair.set(pairId, [...(byPair.get(pairId) ?? []), eventId]);
  }
  return byPair;
}

/**
 * The outbox of `user.blocked` / `user.unblocked`: each pair document carries its unpublished events in
 * the order they happened, and a pair's events are returned as one contiguous run in that order. The relay
 * marks only a confirmed prefix, so a pair's events reach the broker in order (repeats keep their
 * eventId), and consumers that apply them in order end in the pair's real state. With a `lease` (several
 * replicas on one database), a relay claims the pairs it reads and the others skip them until their events
 * are published or the lease runs out, so each event is published once and a pair's stay in order.
 */
export function createBlockOutboxStore(model: BlockModel, lease?: OutboxLease): OutboxStore {
  // The driver's collection: the lease fields are not part of the pair schema.
  const native = model.collection as unknown as mongo.Collection<mongo.Document>;
  return {
    async pending(limit) {
      const query = {
        filter: { 'outbox.eventId': { $exists: true } },
        sort: { _id: 1 as const },
        limit,
        projection: { blockerId: 1, blockedId: 1, outbox: 1 },
      };
      const pairs = (await claimPending(native, query, lease)) as PendingPair[];
      // Cutting the flat list at `limit` keeps a prefix of the last pair's run, never a gap.
      return pairs.flatMap((pair) => pair.outbox.map((e) => toEntry(pair, e))).slice(0, limit);
    },

    async markPublished(ids) {
      // Events queued on a pair meanwhile stay in its outbox, for whichever relay looks next.
      const operations = [...groupByPair(ids)].map(([pairId, eventIds]) => {
        // A plain document: the driver cannot type an array operator on a collection it knows nothing of.
        const update: mongo.Document = {
          $pull: { outbox: { eventId: { $in: eventIds } } },
          $unset: LEASE_FIELDS,
        };
        return { updateOne: { filter: { _id: new Types.ObjectId(pairId) }, update } };
      });
      if (operations.length > 0) await native.bulkWrite(operations, { ordered: false });
    },

    ...(lease
      ? {
          release: (ids: string[]) =>
            releaseLeased(
              native,
              [...groupByPair(ids).keys()].map((id) => new Types.ObjectId(id)),
              lease.owner,
            ),
        }
      : {}),
  };
}
