import { type Connection, type Model, Schema, type Types } from 'mongoose';

/** One per pair of users; it never grows with its messages (they are their own documents). */
export interface ConversationRecord {
  _id: Types.ObjectId;
  /** The two participant ids, sorted and joined with ':'; unique, so a pair has one conversation. */
  pairKey: string;
  participants: Types.ObjectId[];
  lastMessageAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

const conversationSchema = new Schema<ConversationRecord>(
  {
    pairKey: { type: String, required: true },
    participants: { type: [Schema.Types.ObjectId], required: true },
    lastMessageAt: { type: Date, required: true },
  },
  { collection: 'conversations', versionKey: false, timestamps: true, strict: 'throw', strictQuery: true },
);
conversationSchema.index({ pairKey: 1 }, { unique: true });

export type ConversationModel = Model<ConversationRecord>;

export function registerConversationModel(connection: Connection): ConversationModel {
  return connection.model<ConversationRecord>('Conversation', conversationSchema);
}
