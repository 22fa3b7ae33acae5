import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import type { ConversationModel, ConversationRecord } from './conversation.model.js';
import { isDuplicateKey } from './duplicate-key.js';
import { oid } from './message.repository.js';
import { newMessageId } from './message-id.js';
import { nativeCollection, updateOf } from './native-collection.js';
import { withCorrelation } from './outbox-correlation.js';
import { type StoredConversation, toStoredConversation } from './stored-conversation.js';

export type { StoredConversation } from './stored-conversation.js';

export interface RecordedSend {
  conversationId: string;
  senderSeq: number;
  peerSeq: number;
}

export interface ConversationRepository {
  /**
   * Count a send of `messageId` (created with the conversation if missing) unless either participant
   * blocks the other: then null and nothing changes. One findOneAndUpdate, so the block check is free.
   */
  recordSend(
    pairKey: string,
    participants: [string, string],
    senderId: string,
    messageId: string,
  ): Promise<RecordedSend | null>;
  /** Take back the count of a send whose message was not stored, if no later send counted after it. */
  undoSend(undo: {
    conversationId: string;
    senderId: string;
    seq: number;
    messageId: string;
    /** The newest message actually stored, to stand in for `messageId` if that is still recorded as newest. */
    newestStored: string | null;
  }): Promise<void>;
  findIdByPairKey(pairKey: string): Promise<string | null>;
  findByPairKey(pairKey: string): Promise<StoredConversation | null>;
  findById(id: string): Promise<StoredConversation | null>;
  /** `userId`'s conversations that have a message, newest last message first, before `before` if given. */
  listFor(userId: string, page: { before?: string; limit: number }): Promise<StoredConversation[]>;
  /**
   * Move `readerId`'s mark forward to `upTo` and queue `conversation.read`, in one write; null (nothing
   * changed) when the mark is already at or past `upTo`.
   */
  markRead(read: {
    conversationId: string;
    readerId: string;
    peerId: string;
    upTo: string;
    seen: number;
    at: Date;
    /** Apply only if the conversation still has this newest message and peer count (else null). */
    ifUnchanged?: { lastMessageId: string; peerSent: number };
    /** The request that read, published with the event. */
    correlationId?: string;
  }): Promise<StoredConversation | null>;
  /** Apply a block change of `blockerId` unless a newer one (by `at`) was already applied. */
  setBlock(change: {
    pairKey: string;
    participants: [string, string];
    blockerId: string;
    blocked: boolean;
    at: Date;
  }): Promise<void>;
}

const asStored = (doc: unknown) => (doc ? toStoredConversation(doc as ConversationRecord) : null);

/** An upsert on pairKey whose extra conditions may fail on an existing document: that is a duplicate key, then retried as a plain update. */
async function upsertConditionally<T>(run: (upsert: boolean) => Promise<T>): Promise<T> {
  try {
    return await run(true);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // Either a concurrent first write won the insert, or the document exists and fails the condition.
    return run(false);
  }
}

export function createConversationRepository(model: ConversationModel): ConversationRepository {
  const native = nativeCollection(model);
  const onInsert = (participants: [string, string], now: Date) => ({
    participants: participants.map(oid),
    createdAt: now,
  });

  return {
    async recordSend(pairKey, participants, senderId, messageId) {
      const now = new Date();
      const peerId = participants[0] === senderId ? participants[1] : participants[0];
      const doc = await upsertConditionally((upsert) =>
        native.findOneAndUpdate(
          { pairKey, 'blockedBy.0': { $exists: false } },
          {
            $setOnInsert: onInsert(participants, now),
            $inc: { [`sent.${senderId}`]: 1 },
            $max: { lastMessageId: oid(messageId) },
            $set: { updatedAt: now },
          },
          // Only the two counters: the document's read marks, block fields and outbox stay in the server.
          { upsert, returnDocument: 'after', projection: { [`sent.${senderId}`]: 1, [`sent.${peerId}`]: 1 } },
        ),
      );
      if (!doc) return null;
      const sent = (doc.sent ?? {}) as Record<string, number>;
      return {
        conversationId: (doc._id as Types.ObjectId).toHexString(),
        senderSeq: sent[senderId] ?? 0,
        peerSeq: sent[peerId] ?? 0,
      };
    },

    async undoSend({ conversationId, senderId, seq, messageId, newestStored }) {
      await native.updateOne(
        { _id: oid(conversationId), [`sent.${senderId}`]: seq },
        { $inc: { [`sent.${senderId}`]: -1 } },
      );
      // Only while nothing newer was recorded since; a later send's $max replaces it anyway.
      await native.updateOne(
        { _id: oid(conversationId), lastMessageId: oid(messageId) },
        newestStored === null
          ? { $unset: { lastMessageId: '' } }
          : { $set: { lastMessageId: oid(newestStored) } },
      );
    },

    async findIdByPairKey(pairKey) {
      const doc = await native.findOne({ pairKey }, { projection: { _id: 1 } });
      return doc ? (doc._id as Types.ObjectId).toHexString() : null;
    },

    async findByPairKey(pairKey) {
      return asStored(await native.findOne({ pairKey }));
    },

    async findById(id) {
      return asStored(await native.findOne({ _id: oid(id) }));
    },

    async listFor(userId, { before, limit }) {
      const docs = await native
        .find({
          participants: oid(userId),
          lastMessageId: before === undefined ? { $exists: true } : { $lt: oid(before) },
        })
        .sort({ lastMessageId: -1 })
        .limit(limit)
        .toArray();
      return docs.map((doc) => toStoredConversation(doc as ConversationRecord));
    },

    async markRead({ conversationId, readerId, peerId, upTo, seen, at, ifUnchanged, correlationId }) {
      const mark = `reads.${readerId}`;
      // Same generator as message ids: the read sorts after the messages it covers in the relay's order.
      const key = oid(newMessageId());
      const event = withCorrelation(
        {
          _id: key,
          eventId: randomUUID(),
          routingKey: 'conversation.read',
          occurredAt: at,
          readerId: oid(readerId),
          peerId: oid(peerId),
          upTo: oid(upTo),
        },
        correlationId,
      );
      const doc = await native.findOneAndUpdate(
        {
          _id: oid(conversationId),
          ...(ifUnchanged && {
            lastMessageId: oid(ifUnchanged.lastMessageId),
            [`sent.${peerId}`]: ifUnchanged.peerSent,
          }),
          $or: [{ [`${mark}.upTo`]: { $exists: false } }, { [`${mark}.upTo`]: { $lt: oid(upTo) } }],
        },
        updateOf({
          $set: { [`${mark}.upTo`]: oid(upTo), [`${mark}.readAt`]: at, outbox: true, updatedAt: at },
          // Concurrent sends may number a sender's messages out of _id order: the covered count never shrinks.
          $max: { [`${mark}.seen`]: seen },
          $push: { pendingEvents: event },
          $min: { outboxAt: key },
        }),
        { returnDocument: 'after' },
      );
      return asStored(doc);
    },

    async setBlock({ pairKey, participants, blockerId, blocked, at }) {
      const changedAt = `blockChangedAt.${blockerId}`;
      const change = blocked
        ? { $addToSet: { blockedBy: oid(blockerId) } }
        : { $pull: { blockedBy: oid(blockerId) } };
      await upsertConditionally((upsert) =>
        native.updateOne(
          { pairKey, $or: [{ [changedAt]: { $exists: false } }, { [changedAt]: { $lt: at } }] },
          updateOf({
            ...change,
            $set: { [changedAt]: at, updatedAt: at },
            $setOnInsert: onInsert(participants, at),
          }),
          { upsert },
        ),
      );
    },
  };
}
