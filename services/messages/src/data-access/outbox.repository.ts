import { claimPending, LEASE_FIELDS, type OutboxLease, releaseLeased } from '@chat/shared/mongo';
import type { mongo, Types } from 'mongoose';
import type { ConversationModel, ConversationRecord } from './conversation.model.js';
import type { MessageModel, MessageRecord } from './message.model.js';
import { oid } from './message.repository.js';
import { nativeCollection, updateOf } from './native-collection.js';

/**
 * The pending events embedded in one collection's documents. A document with `outbox: true` has some;
 * its `outboxAt` is a lower bound of their `_id`s, so documents come oldest-event first.
 */
export interface EmbeddedOutbox<T> {
  /**
   * Up to `limit` documents with pending events, by `outboxAt`. With a lease, only documents no other relay
   * holds, and they are claimed for this one until settled or the lease runs out.
   */
  pending(limit: number): Promise<T[]>;
  /**
   * Remove these events (by `_id`) from these documents; documents left without any leave the outbox. The
   * lease is dropped either way, so events queued meanwhile go to whichever relay looks next.
   */
  settle(docIds: string[], eventKeys: string[]): Promise<void>;
}

/**
 * Raise `outboxAt` of documents that still hold events to their oldest one, so a settled event no longer
 * holds the document early in the order. Conditional on that event still being first: events are appended.
 */
async function tightenBounds(native: mongo.Collection<mongo.Document>, docIds: string[]): Promise<void> {
  const left = await native
    .find(
      { _id: { $in: docIds.map(oid) }, outbox: true },
      { projection: { outboxAt: 1, 'pendingEvents._id': 1 } },
    )
    .toArray();
  for (const doc of left) {
    const first = (doc.pendingEvents as Array<{ _id: Types.ObjectId }> | undefined)?.[0]?._id;
    const bound = doc.outboxAt as Types.ObjectId | undefined;
    if (!first || (bound && bound.toHexString() >= first.toHexString())) continue;
    await native.updateOne({ _id: doc._id, 'pendingEvents.0._id': first }, { $set: { outboxAt: first } });
  }
}

/**
 * The common case in one write: each document's only pending event is one being settled, so its outbox is
 * emptied outright (the filter checks that atomically per document; an event queued since fails it).
 * True when that covered every document and key; otherwise the caller settles the rest the general way.
 */
async function settleSoleEvents(
  native: mongo.Collection<mongo.Document>,
  docIds: string[],
  eventKeys: string[],
  set: Record<string, unknown>,
): Promise<boolean> {
  const docs = [...new Set(docIds)];
  const keys = [...new Set(eventKeys)];
  if (docs.length !== keys.length) return false;
  const result = await native.updateMany(
    { _id: { $in: docs.map(oid) }, pendingEvents: { $size: 1 }, 'pendingEvents._id': { $in: keys.map(oid) } },
    { $set: set, $unset: { outbox: '', outboxAt: '', ...LEASE_FIELDS } },
  );
  return result.modifiedCount === docs.length;
}

/** The general way: remove the keys from each document, then retire emptied outboxes and tighten bounds. */
async function settleEach(
  native: mongo.Collection<mongo.Document>,
  docIds: string[],
  eventKeys: string[],
): Promise<void> {
  const ids = { $in: docIds.map(oid) };
  // $pull by key, never a $set of the array: an event queued since the read must survive.
  await native.updateMany(
    { _id: ids },
    updateOf({ $pull: { pendingEvents: { _id: { $in: eventKeys.map(oid) } } }, $unset: LEASE_FIELDS }),
  );
  await native.updateMany(
    { _id: ids, 'pendingEvents.0': { $exists: false } },
    { $unset: { outbox: '', outboxAt: '' } },
  );
  await tightenBounds(native, docIds);
}

function createEmbeddedOutbox<T>(
  native: mongo.Collection<mongo.Document>,
  lease: OutboxLease | undefined,
): EmbeddedOutbox<T> {
  return {
    async pending(limit) {
      const query = { filter: { outbox: true }, sort: { outboxAt: 1 as const }, limit };
      return (await claimPending(native, query, lease)) as T[];
    },
    async settle(docIds, eventKeys) {
      if (docIds.length === 0) return;
      if (await settleSoleEvents(native, docIds, eventKeys, { pendingEvents: [] })) return;
      await settleEach(native, docIds, eventKeys);
    },
  };
}

/** The messages' outbox, which can also give up documents handed over at insert (see `handOffLease`). */
export interface MessageOutbox extends EmbeddedOutbox<MessageRecord> {
  /** Free these documents if they are still held under `owner` (a hand-over whose publish failed). */
  release(docIds: string[], owner: string): Promise<void>;
}

export function createMessageOutboxRepository(model: MessageModel, lease?: OutboxLease): MessageOutbox {
  const native = nativeCollection(model);
  return {
    pending: createEmbeddedOutbox<MessageRecord>(native, lease).pending,
    release: (docIds, owner) => releaseLeased(native, docIds.map(oid), owner),
    async settle(docIds, eventKeys) {
      // A message's creation event is keyed by its own id: settling it is what `publishedAt` records.
      const keys = new Set(eventKeys);
      const createdIds = docIds.filter((id) => keys.has(id));
      const now = new Date();
      // Only creations: those still alone in their outbox are published and cleared in one write.
      const onlyCreations = createdIds.length === docIds.length;
      const set = { pendingEvents: [], publishedAt: now };
      if (docIds.length > 0 && onlyCreations && (await settleSoleEvents(native, docIds, eventKeys, set))) {
        return;
      }
      if (createdIds.length > 0) {
        await native.updateMany(
          { _id: { $in: createdIds.map(oid) }, publishedAt: null },
          { $set: { publishedAt: now } },
        );
      }
      if (docIds.length > 0) await settleEach(native, docIds, eventKeys);
    },
  };
}

export function createConversationOutboxRepository(
  model: ConversationModel,
  lease?: OutboxLease,
): EmbeddedOutbox<ConversationRecord> {
  return createEmbeddedOutbox<ConversationRecord>(nativeCollection(model), lease);
}
