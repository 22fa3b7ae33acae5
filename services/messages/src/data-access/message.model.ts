import { type Connection, type Model, Schema, type Types } from 'mongoose';
import { type EmbeddedOutboxFields, embeddedOutboxPaths } from './embedded-outbox.fields.js';

export type MessageRoutingKey = 'message.created' | 'message.updated' | 'message.deleted';

/**
 * An event of this message waiting in its outbox. The payload is built from the document when published,
 * so erasing the text erases it from pending events too. `_id` orders it among all outbox events.
 */
export interface MessageOutboxEvent {
  _id: Types.ObjectId;
  eventId: string;
  routingKey: MessageRoutingKey;
  occurredAt: Date;
  /** The request that caused the event (the gateway's `x-request-id`), published as an AMQP header. */
  correlationId?: string;
}

export interface MessageRecord extends EmbeddedOutboxFields<MessageOutboxEvent> {
  _id: Types.ObjectId;
  conversationId: Types.ObjectId;
  senderId: Types.ObjectId;
  receiverId: Types.ObjectId;
  /** The text; "" once deleted (erased, not hidden). */
  message: string;
  /** Client-chosen key of a retriable send; unique per sender when present. */
  idempotencyKey?: string;
  /** The `message.created` eventId, fixed at insert so every republish carries the same one. */
  eventId: string;
  /** Null until `message.created` was settled (confirmed by the broker, or dropped as the message was deleted). */
  publishedAt: Date | null;
  /** The sender's sent count including this message; absent on messages older than the counters. */
  seq?: number;
  /** The receiver's sent count when this message was sent. */
  peerSeq?: number;
  editedAt?: Date;
  deletedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const outboxEventSchema = new Schema<MessageOutboxEvent>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    eventId: { type: String, required: true },
    routingKey: { type: String, required: true },
    occurredAt: { type: Date, required: true },
    correlationId: { type: String },
  },
  { versionKey: false, strict: 'throw' },
);

const messageSchema = new Schema<MessageRecord>(
  {
    conversationId: { type: Schema.Types.ObjectId, required: true },
    senderId: { type: Schema.Types.ObjectId, required: true },
    receiverId: { type: Schema.Types.ObjectId, required: true },
    message: { type: String, default: '' },
    idempotencyKey: { type: String },
    eventId: { type: String, required: true },
    publishedAt: { type: Date, default: null },
    seq: { type: Number },
    peerSeq: { type: Number },
    editedAt: { type: Date },
    deletedAt: { type: Date },
    pendingEvents: { type: [outboxEventSchema], default: undefined },
    ...embeddedOutboxPaths,
  },
  { collection: 'messages', versionKey: false, timestamps: true, strict: 'throw', strictQuery: true },
);
// ObjectIds grow with time, so _id orders a conversation's history and serves as the page cursor.
messageSchema.index({ conversationId: 1, _id: -1 });
messageSchema.index(
  { senderId: 1, idempotencyKey: 1 },
  { unique: true, partialFilterExpression: { idempotencyKey: { $type: 'string' } } },
);
messageSchema.index({ outbox: 1, outboxAt: 1 });

export type MessageModel = Model<MessageRecord>;

export function registerMessageModel(connection: Connection): MessageModel {
  return connection.model<MessageRecord>('Message', messageSchema);
}
