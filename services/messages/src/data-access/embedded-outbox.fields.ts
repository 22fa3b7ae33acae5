import { Schema, type Types } from 'mongoose';

/** What a document that carries its own outbox holds besides its data (read and written by outbox.repository). */
export interface EmbeddedOutboxFields<E> {
  pendingEvents?: E[];
  /** Present (true) while pendingEvents holds something: the relay finds its work by equality. */
  outbox?: true;
  /** A lower bound of the pending events' `_id`s, to merge the outboxes of both collections in write order. */
  outboxAt?: Types.ObjectId;
  /** The relay instance publishing this document's events, until `leaseUntil` (absent: free). */
  leaseOwner?: string;
  leaseUntil?: Date;
}

/** The schema paths of those fields but `pendingEvents`, whose event shape is each collection's own. */
export const embeddedOutboxPaths = {
  outbox: { type: Boolean },
  outboxAt: { type: Schema.Types.ObjectId },
  leaseOwner: { type: String },
  leaseUntil: { type: Date },
};
