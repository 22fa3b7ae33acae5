import { type Connection, type Model, Schema, type Types } from 'mongoose';

/** One change of a pair, stored with the change itself until the broker confirmed it. */
export interface PendingBlockEvent {
  eventId: string;
  occurredAt: Date;
  /** true: `user.blocked`; false: `user.unblocked`. */
  blocked: boolean;
}

/**
 * One document per (blocker, blocked) pair, kept after an unblock so `version` and `changedAt` keep
 * growing. `outbox` holds the pair's unpublished events in the order they happened: the state change and
 * its event are one single-document write.
 */
export interface BlockRecord {
  _id: Types.ObjectId;
  blockerId: Types.ObjectId;
  blockedId: Types.ObjectId;
  blocked: boolean;
  /** Compare-and-set counter: every change matches the version it read. */
  version: number;
  /** `occurredAt` of the latest change; the next one is strictly later, whatever the clocks say. */
  changedAt: Date;
  outbox: PendingBlockEvent[];
}

const pendingEventSchema = new Schema<PendingBlockEvent>(
  {
    eventId: { type: String, required: true },
    occurredAt: { type: Date, required: true },
    blocked: { type: Boolean, required: true },
  },
  { _id: false },
);

const blockSchema = new Schema<BlockRecord>(
  {
    blockerId: { type: Schema.Types.ObjectId, required: true },
    blockedId: { type: Schema.Types.ObjectId, required: true },
    blocked: { type: Boolean, required: true },
    version: { type: Number, required: true },
    changedAt: { type: Date, required: true },
    outbox: { type: [pendingEventSchema], default: [] },
  },
  { collection: 'blocks', versionKey: false, strict: 'throw', strictQuery: true },
);
// One document per pair: two first blocks racing end in one insert and one duplicate-key retry.
blockSchema.index({ blockerId: 1, blockedId: 1 }, { unique: true, name: 'pair_unique' });
// The directory reads a caller's whole block list in one query.
blockSchema.index({ blockerId: 1, blocked: 1, blockedId: 1 }, { name: 'blocker_list' });
// The outbox relay scans only pairs with unpublished events (sparse: an empty outbox is not indexed).
blockSchema.index({ 'outbox.eventId': 1 }, { sparse: true, name: 'outbox_pending' });

export type BlockModel = Model<BlockRecord>;

/** Register the blocks model on `connection`. */
export function registerBlockModel(connection: Connection): BlockModel {
  return connection.model<BlockRecord>('Block', blockSchema);
}
