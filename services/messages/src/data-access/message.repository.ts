import { randomUUID } from 'node:crypto';
import { Types, trusted } from 'mongoose';
import { isDuplicateKey } from './duplicate-key.js';
import type { MessageModel, MessageRecord } from './message.model.js';

/** A stored message as the domain sees it: plain object, string ids. */
export interface StoredMessage {
  _id: string;
  conversationId: string;
  senderId: string;
  receiverId: string;
  message: string;
  eventId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewMessage {
  conversationId: string;
  senderId: string;
  receiverId: string;
  message: string;
  idempotencyKey?: string;
}

export interface MessageRepository {
  /** Store a message, unpublished; `{ inserted: false }` when the sender already used its idempotency key. */
  insert(message: NewMessage): Promise<{ inserted: true; message: StoredMessage } | { inserted: false }>;
  findByIdempotencyKey(senderId: string, idempotencyKey: string): Promise<StoredMessage | null>;
  /** Up to `limit` messages of a conversation older than `before` (all if absent), oldest first. */
  page(conversationId: string, opts: { before?: string; limit: number }): Promise<StoredMessage[]>;
  /** Messages whose event the broker has not confirmed yet, oldest first. */
  unpublished(limit: number): Promise<StoredMessage[]>;
  markPublished(ids: string[]): Promise<void>;
}

const oid = (id: string) => new Types.ObjectId(id);

function toStored(doc: MessageRecord): StoredMessage {
  return {
    _id: doc._id.toHexString(),
    conversationId: doc.conversationId.toHexString(),
    senderId: doc.senderId.toHexString(),
    receiverId: doc.receiverId.toHexString(),
    message: doc.message,
    eventId: doc.eventId,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function createMessageRepository(model: MessageModel): MessageRepository {
  return {
    async insert(input) {
      try {
        const created = await model.create({
          conversationId: oid(input.conversationId),
          senderId: oid(input.senderId),
          receiverId: oid(input.receiverId),
          message: input.message,
          ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
          eventId: randomUUID(),
          publishedAt: null,
        });
        return { inserted: true, message: toStored(created.toObject()) };
      } catch (err) {
        // Fresh ObjectIds never collide: a duplicate key here is the (senderId, idempotencyKey) index.
        if (input.idempotencyKey !== undefined && isDuplicateKey(err)) return { inserted: false };
        throw err;
      }
    },

    async findByIdempotencyKey(senderId, idempotencyKey) {
      const doc = await model.findOne({ senderId: oid(senderId), idempotencyKey }).lean<MessageRecord>();
      return doc ? toStored(doc) : null;
    },

    async page(conversationId, { before, limit }) {
      const filter: Record<string, unknown> = { conversationId: oid(conversationId) };
      if (before !== undefined) filter._id = trusted({ $lt: oid(before) });
      const docs = await model.find(filter).sort({ _id: -1 }).limit(limit).lean<MessageRecord[]>();
      return docs.reverse().map(toStored);
    },

    async unpublished(limit) {
      const docs = await model
        .find({ publishedAt: null })
        .sort({ _id: 1 })
        .limit(limit)
        .lean<MessageRecord[]>();
      return docs.map(toStored);
    },

    async markPublished(ids) {
      // Outbox bookkeeping, not an edit of the message: updatedAt stays as the sender left it.
      await model.updateMany(
        { _id: trusted({ $in: ids.map(oid) }) },
        { $set: { publishedAt: new Date() } },
        { timestamps: false },
      );
    },
  };
}
