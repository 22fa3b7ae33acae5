import { type Connection, type Model, Schema, type Types } from 'mongoose';
import { type EmbeddedOutboxFields, embeddedOutboxPaths } from './embedded-outbox.fields.js';

/** What one participant has read: the newest message they marked, and how many peer messages that covers. */
export interface ReadMark {
  upTo: Types.ObjectId;
  /** The peer's sent count up to `upTo`; unread = peer's sent counter − seen. */
  seen: number;
  readAt: Date;
}

/** A `conversation.read` waiting in this document's outbox; `_id` orders it among all outbox events. */
export interface ReadOutboxEvent {
  _id: Types.ObjectId;
  eventId: string;
  routingKey: 'conversation.read';
  occurredAt: Date;
  readerId: Types.ObjectId;
  peerId: Types.ObjectId;
  upTo: Types.ObjectId;
  /** The request that caused the event (the gateway's `x-request-id`), published as an AMQP header. */
  correlationId?: string;
}

/**
 * One per pair of users; it never grows with its messages (they are their own documents). Per-user maps are
 * keyed by the user's hex id. Written through the driver: the update operators below are the contract.
 */
export interface ConversationRecord extends EmbeddedOutboxFields<ReadOutboxEvent> {
  _id: Types.ObjectId;
  /** The two participant ids, sorted and joined with ':'; unique, so a pair has one conversation. */
  pairKey: string;
  participants: Types.ObjectId[];
  /** The newest message's id ($max on every send); absent while the pair has exchanged nothing. */
  lastMessageId?: Types.ObjectId;
  /** Messages each participant has sent; a message stores the value its send produced. */
  sent?: Record<string, number>;
  reads?: Record<string, ReadMark>;
  /** Participants who currently block the other one; a send only succeeds while this is empty. */
  blockedBy?: Types.ObjectId[];
  /** occurredAt of the latest block change applied per blocker, so an older redelivery changes nothing. */
  blockChangedAt?: Record<string, Date>;
  createdAt: Date;
  updatedAt: Date;
}

const conversationSchema = new Schema<ConversationRecord>(
  {
    pairKey: { type: String, required: true },
    participants: { type: [Schema.Types.ObjectId], required: true },
    lastMessageId: { type: Schema.Types.ObjectId },
    sent: { type: Schema.Types.Mixed },
    reads: { type: Schema.Types.Mixed },
    blockedBy: { type: [Schema.Types.ObjectId] },
    blockChangedAt: { type: Schema.Types.Mixed },
    pendingEvents: { type: [Schema.Types.Mixed] },
    ...embeddedOutboxPaths,
  },
  { collection: 'conversations', versionKey: false, timestamps: true, strict: 'throw', strictQuery: true },
);
conversationSchema.index({ pairKey: 1 }, { unique: true });
// My conversations, newest activity first: a multikey prefix on participants, then the cursor field.
conversationSchema.index({ participants: 1, lastMessageId: -1 });
conversationSchema.index({ outbox: 1, outboxAt: 1 });

export type ConversationModel = Model<ConversationRecord>;

export function registerConversationModel(connection: Connection): ConversationModel {
  return connection.model<ConversationRecord>('Conversation', conversationSchema);
}
