import type { UserBlockedEvent } from '@chat/shared/events';
import type { OutboxEntry, OutboxStore } from '@chat/shared/messaging';
import { trusted } from 'mongoose';
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
 * eventId), and consumers that apply them in order end in the pair's real state.
 */
export function createBlockOutboxStore(model: BlockModel): OutboxStore {
  return {
    async pending(limit) {
      const pairs = await model
        .find({ 'outbox.eventId': trusted({ $exists: true }) }, { blockerId: 1, blockedId: 1, outbox: 1 })
        .sort({ _id: 1 })
        .limit(limit)
        .lean<PendingPair[]>();
      // Cutting the flat list at `limit` keeps a prefix of the last pair's run, never a gap.
      return pairs.flatMap((pair) => pair.outbox.map((e) => toEntry(pair, e))).slice(0, limit);
    },

    async markPublished(ids) {
      const operations = [...groupByPair(ids)].map(([pairId, eventIds]) => ({
        updateOne: {
          filter: { _id: pairId },
          update: { $pull: { outbox: { eventId: { $in: eventIds } } } },
        },
      }));
      if (operations.length > 0) await model.bulkWrite(operations, { ordered: false });
    },
  };
}
