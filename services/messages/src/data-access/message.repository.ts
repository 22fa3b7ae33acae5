import { randomUUID } from 'node:crypto';
import { Types, trusted } from 'mongoose';
import { isDuplicateKey } from './duplicate-key.js';
import { createInsertBatcher } from './insert-batcher.js';
import type { MessageModel, MessageRecord } from './message.model.js';
import { newMessageId } from './message-id.js';
import { nativeCollection } from './native-collection.js';
import { withCorrelation } from './outbox-correlation.js';

/** A stored message as the domain sees it: plain object, string ids. */
export interface StoredMessage {
  _id: string;
  conversationId: string;
  senderId: string;
  receiverId: string;
  message: string;
  eventId: string;
  /** The sender's sent count including this message, and the receiver's at that moment (0 when unknown). */
  seq: number;
  peerSeq: number;
  createdAt: Date;
  updatedAt: Date;
  editedAt?: Date;
  deletedAt?: Date;
}

export interface NewMessage {
  _id: string;
  conversationId: string;
  senderId: string;
  receiverId: string;
  message: string;
  seq: number;
  peerSeq: number;
  idempotencyKey?: string;
  /** The request that sent it, stored and published with its creation event. */
  correlationId?: string;
}

export interface MessageRepository {
  /** A fresh message id, time-ordered like every ObjectId. */
  newId(): string;
  /** Store a message with its pending `message.created`; `{ inserted: false }` when the idempotency key was used. */
  insert(message: NewMessage): Promise<{ inserted: true; message: StoredMessage } | { inserted: false }>;
  findByIdempotencyKey(senderId: string, idempotencyKey: string): Promise<StoredMessage | null>;
  findById(id: string): Promise<StoredMessage | null>;
  findByIds(ids: string[]): Promise<StoredMessage[]>;
  /** Up to `limit` messages of a conversation older than `before` (all if absent), oldest first. */
  page(conversationId: string, opts: { before?: string; limit: number }): Promise<StoredMessage[]>;
  /**
   * Replace the text of `senderId`'s undeleted message and queue `message.updated` (with the request's
   * `correlationId`); null if none matched.
   */
  edit(
    id: string,
    senderId: string,
    text: string,
    at: Date,
    correlationId?: string,
  ): Promise<StoredMessage | null>;
  /** Erase the text of `senderId`'s undeleted message and queue `message.deleted`; null if none matched. */
  erase(id: string, senderId: string, at: Date, correlationId?: string): Promise<StoredMessage | null>;
}

export const oid = (id: string) => new Types.ObjectId(id);

export function toStoredMessage(doc: MessageRecord): StoredMessage {
  return {
    _id: doc._id.toHexString(),
    conversationId: doc.conversationId.toHexString(),
    senderId: doc.senderId.toHexString(),
    receiverId: doc.receiverId.toHexString(),
    message: doc.message,
    eventId: doc.eventId,
    seq: doc.seq ?? 0,
    peerSeq: doc.peerSeq ?? 0,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    ...(doc.editedAt ? { editedAt: doc.editedAt } : {}),
    ...(doc.deletedAt ? { deletedAt: doc.deletedAt } : {}),
  };
}

/** The update that queues one event in the message's own outbox, in the same single-document write. */
function queueEvent(
  routingKey: 'message.updated' | 'message.deleted',
  at: Date,
  correlationId: string | undefined,
) {
  // Outbox keys come from the message ids' generator, so an event sorts after every message sent before it.
  const key = oid(newMessageId());
  return {
    $push: {
      pendingEvents: withCorrelation(
        { _id: key, eventId: randomUUID(), routingKey, occurredAt: at },
        correlationId,
      ),
    },
    $min: { outboxAt: key },
  };
}

/**
 * A message inserted with its creation event already leased to this process's relay, which is handed the
 * stored message: the relay publishes it without reading it back, and no other relay takes it meanwhile.
 */
export interface HandOver {
  /** The lease owner of handed-over documents (distinct from the relay's own polling lease). */
  owner: string;
  leaseMs: number;
  /** `correlationId`: the request that sent it, published with its creation event. */
  take(message: StoredMessage, correlationId: string | undefined): void;
}

export function createMessageRepository(model: MessageModel, handOver?: HandOver): MessageRepository {
  const native = nativeCollection(model);
  const insertMessage = createInsertBatcher(() => {
    const { db } = model.db;
    if (!db) throw new Error('MongoDB is not connected');
    return db;
  }, model.collection.collectionName);
  const changeUndeleted = async (
    id: string,
    senderId: string,
    set: Record<string, unknown>,
    queued: object,
  ) => {
    const doc = await native.findOneAndUpdate(
      { _id: oid(id), senderId: oid(senderId), deletedAt: null },
      { $set: { ...set, outbox: true, updatedAt: set.updatedAt }, ...queued },
      { returnDocument: 'after' },
    );
    return doc ? toStoredMessage(doc as MessageRecord) : null;
  };

  return {
    newId: () => newMessageId(),

    async insert(input) {
      const id = oid(input._id);
      const eventId = randomUUID();
      const now = new Date();
      const creation = withCorrelation(
        { _id: id, eventId, routingKey: 'message.created' as const, occurredAt: now },
        input.correlationId,
      );
      // Through the driver: every field is built here from validated values, and mongoose's document
      // construction, casting and validation were a large share of the service's CPU per send.
      const doc: MessageRecord = {
        _id: id,
        conversationId: oid(input.conversationId),
        senderId: oid(input.senderId),
        receiverId: oid(input.receiverId),
        message: input.message,
        ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
        eventId,
        publishedAt: null,
        seq: input.seq,
        peerSeq: input.peerSeq,
        // The creation event is keyed by the message id, so it sorts before anything later written about it.
        pendingEvents: [creation],
        outbox: true,
        outboxAt: id,
        ...(handOver && {
          leaseOwner: handOver.owner,
          leaseUntil: new Date(now.getTime() + handOver.leaseMs),
        }),
        createdAt: now,
        updatedAt: now,
      };
      try {
        await insertMessage(doc);
        const message = toStoredMessage(doc);
        handOver?.take(message, creation.correlationId);
        return { inserted: true, message };
      } catch (err) {
        // Fresh ObjectIds never collide: a duplicate key here is the (senderId, idempotencyKey) index.
        if (input.idempotencyKey !== undefined && isDuplicateKey(err)) return { inserted: false };
        throw err;
      }
    },

    async findByIdempotencyKey(senderId, idempotencyKey) {
      const doc = await model.findOne({ senderId: oid(senderId), idempotencyKey }).lean<MessageRecord>();
      return doc ? toStoredMessage(doc) : null;
    },

    async findById(id) {
      const doc = await model.findById(oid(id)).lean<MessageRecord>();
      return doc ? toStoredMessage(doc) : null;
    },

    async findByIds(ids) {
      if (ids.length === 0) return [];
      const docs = await model.find({ _id: trusted({ $in: ids.map(oid) }) }).lean<MessageRecord[]>();
      return docs.map(toStoredMessage);
    },

    async page(conversationId, { before, limit }) {
      const filter: Record<string, unknown> = { conversationId: oid(conversationId) };
      if (before !== undefined) filter._id = trusted({ $lt: oid(before) });
      const docs = await model.find(filter).sort({ _id: -1 }).limit(limit).lean<MessageRecord[]>();
      return docs.reverse().map(toStoredMessage);
    },

    edit: (id, senderId, text, at, correlationId) =>
      changeUndeleted(
        id,
        senderId,
        { message: text, editedAt: at, updatedAt: at },
        queueEvent('message.updated', at, correlationId),
      ),

    erase: (id, senderId, at, correlationId) =>
      changeUndeleted(
        id,
        senderId,
        { message: '', deletedAt: at, updatedAt: at },
        queueEvent('message.deleted', at, correlationId),
      ),
  };
}
