import { type Connection, type Model, Schema, type Types } from 'mongoose';

export interface MessageRecord {
  _id: Types.ObjectId;
  conversationId: Types.ObjectId;
  senderId: Types.ObjectId;
  receiverId: Types.ObjectId;
  message: string;
  /** Client-chosen key of a retriable send; unique per sender when present. */
  idempotencyKey?: string;
  /** The `message.created` eventId, fixed at insert so every republish carries the same one. */
  eventId: string;
  /** Outbox state: null until the broker confirmed `message.created` (the relay scans these). */
  publishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const messageSchema = new Schema<MessageRecord>(
  {
    conversationId: { type: Schema.Types.ObjectId, required: true },
    senderId: { type: Schema.Types.ObjectId, required: true },
    receiverId: { type: Schema.Types.ObjectId, required: true },
    message: { type: String, required: true },
    idempotencyKey: { type: String },
    eventId: { type: String, required: true },
    publishedAt: { type: Date, default: null },
  },
  { collection: 'messages', versionKey: false, timestamps: true, strict: 'throw', strictQuery: true },
);
// ObjectIds grow with time, so _id orders a conversation's history and serves as the page cursor.
messageSchema.index({ conversationId: 1, _id: -1 });
messageSchema.index(
  { senderId: 1, idempotencyKey: 1 },
  { unique: true, partialFilterExpression: { idempotencyKey: { $type: 'string' } } },
);
messageSchema.index({ publishedAt: 1, _id: 1 });

export type MessageModel = Model<MessageRecord>;

export function registerMessageModel(connection: Connection): MessageModel {
  return connection.model<MessageRecord>('Message', messageSchema);
}
