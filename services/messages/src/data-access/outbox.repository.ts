import type { mongo } from 'mongoose';
import type { ConversationModel, ConversationRecord } from './conversation.model.js';
import type { MessageModel, MessageRecord } from './message.model.js';
import { oid } from './message.repository.js';
import { nativeCollection, updateOf } from './native-collection.js';

/**
 * The pending events embedded in one collection's documents. A document with `outbox: true` has some;
 * its `outboxAt` is a lower bound of their `_id`s, so documents come oldest-event first.
 */
export interface EmbeddedOutbox<T> {
  /** Up to `limit` documents with pending events, by `outboxAt`. */
  pending(limit: number): Promise<T[]>;
  /** Remove these events (by `_id`) from these documents; documents left without any leave the outbox. */
  settle(docIds: string[], eventKeys: string[]): Promise<void>;
}

function createEmbeddedOutbox<T>(native: mongo.Collection<mongo.Document>): EmbeddedOutbox<T> {
  return {
    async pending(limit) {
      const docs = await native.find({ outbox: true }).sort({ outboxAt: 1 }).limit(limit).toArray();
      return docs as T[];
    },
    async settle(docIds, eventKeys) {
      if (docIds.length === 0) return;
      const ids = { $in: docIds.map(oid) };
      // $pull by key, never a $set of the array: an event queued since the read must survive.
      await native.updateMany(
        { _id: ids },
        updateOf({ $pull: { pendingEvents: { _id: { $in: eventKeys.map(oid) } } } }),
      );
      await native.updateMany(
        { _id: ids, 'pendingEvents.0': { $exists: false } },
        { $unset: { outbox: '', outboxAt: '' } },
      );
    },
  };
}

export function createMessageOutboxRepository(model: MessageModel): EmbeddedOutbox<MessageRecord> {
  const native = nativeCollection(model);
  const outbox = createEmbeddedOutbox<MessageRecord>(native);
  return {
    pending: outbox.pending,
    async settle(docIds, eventKeys) {
      // A message's creation event is keyed by its own id: settling it is what `publishedAt` records.
      const keys = new Set(eventKeys);
      const created = docIds.filter((id) => keys.has(id)).map(oid);
      if (created.length > 0) {
        await native.updateMany(
          { _id: { $in: created }, publishedAt: null },
          { $set: { publishedAt: new Date() } },
        );
      }
      await outbox.settle(docIds, eventKeys);
    },
  };
}

export function createConversationOutboxRepository(
  model: ConversationModel,
): EmbeddedOutbox<ConversationRecord> {
  return createEmbeddedOutbox<ConversationRecord>(nativeCollection(model));
}
