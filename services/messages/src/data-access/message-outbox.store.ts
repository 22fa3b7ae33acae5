import type { RoutingKey } from '@chat/shared/events';
import type { OutboxEntry, OutboxStore } from '@chat/shared/messaging';
import {
  conversationReadEventOf,
  messageCreatedEventOf,
  messageDeletedEventOf,
  messageUpdatedEventOf,
} from '../domain/message-events.js';
import type { ReadOutboxWatch } from '../domain/read-outbox-watch.js';
import type { ConversationRecord } from './conversation.model.js';
import type { MessageRecord } from './message.model.js';
import { type StoredMessage, toStoredMessage } from './message.repository.js';
import type { EmbeddedOutbox, MessageOutbox } from './outbox.repository.js';

type Source = 'm' | 'c';
/** An outbox event ready to publish, or one made obsolete by a later delete (settled without publishing). */
interface Candidate {
  id: string;
  key: string;
  routingKey: RoutingKey;
  payload: unknown;
  correlationId: string | undefined;
}

const entryId = (source: Source, docId: string, key: string) => `${source}:${docId}:${key}`;

function messageCandidates(doc: MessageRecord): Candidate[] {
  const m = toStoredMessage(doc);
  return (doc.pendingEvents ?? []).map((e) => {
    const key = e._id.toHexString();
    const base = {
      id: entryId('m', m._id, key),
      key,
      routingKey: e.routingKey,
      correlationId: e.correlationId,
    };
    // Once deleted, no event may carry the text again: creation and edits still pending are dropped.
    if (e.routingKey === 'message.deleted' && m.deletedAt) {
      return { ...base, payload: messageDeletedEventOf({ ...m, deletedAt: m.deletedAt }, e) };
    }
    if (m.deletedAt) return { ...base, payload: null };
    if (e.routingKey === 'message.updated' && m.editedAt) {
      return { ...base, payload: messageUpdatedEventOf({ ...m, editedAt: m.editedAt }, e) };
    }
    return { ...base, payload: messageCreatedEventOf(m) };
  });
}

function readCandidates(doc: ConversationRecord): Candidate[] {
  const conversationId = doc._id.toHexString();
  return (doc.pendingEvents ?? []).map((e) => ({
    id: entryId('c', conversationId, e._id.toHexString()),
    key: e._id.toHexString(),
    routingKey: e.routingKey,
    correlationId: e.correlationId,
    payload: conversationReadEventOf(conversationId, {
      eventId: e.eventId,
      occurredAt: e.occurredAt,
      readerId: e.readerId.toHexString(),
      peerId: e.peerId.toHexString(),
      upTo: e.upTo.toHexString(),
    }),
  }));
}

function groupIds(ids: string[]): Record<Source, { docIds: string[]; keys: string[] }> {
  const groups = {
    m: { docIds: [] as string[], keys: [] as string[] },
    c: { docIds: [] as string[], keys: [] as string[] },
  };
  for (const id of ids) {
    const [source, docId, key] = id.split(':');
    if ((source !== 'm' && source !== 'c') || !docId || !key) continue;
    groups[source].docIds.push(docId);
    groups[source].keys.push(key);
  }
  return groups;
}

/** The outbox store of the messages service, which also takes messages handed over at insert. */
export interface MessageOutboxStore extends OutboxStore {
  /** A message just inserted with its creation event leased to this store (see `HandOver`). */
  handOver(message: StoredMessage, correlationId?: string): void;
  /** Something other than a hand-over was queued (an edit, a delete, a read): look in the database. */
  changed(): void;
  /** A message is being deleted: its creation, if still waiting here, is left to the database's copy. */
  forget(messageId: string): Promise<void>;
  /** After the relay stopped: give every hand-over not yet settled back to the database. */
  close(): Promise<void>;
}

const byKey = (a: Candidate, b: Candidate) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const toEntry = ({ id, routingKey, payload, correlationId }: Candidate): OutboxEntry =>
  correlationId === undefined ? { id, routingKey, payload } : { id, routingKey, payload, correlationId };

/**
 * The outbox lives inside the documents it is about: a message carries its created/updated/deleted events,
 * a conversation its read events, each queued in the same single-document write as the change, so a change
 * and its event never drift apart. Events come out in write order (their `_id`) across both collections:
 * only those older than the first document not read in this batch are released, so a later batch can never
 * hold an earlier event. Per message, creation always precedes its edits and its deletion.
 *
 * A send hands its stored message over (`handOver`), its document leased to this process: the creation is
 * published from memory with no read, and the database is read only when something else was queued, when
 * nothing was handed over, or every `dbLookMs` (what another replica left behind). A hand-over whose publish
 * fails is released back to the database, where the next look finds it.
 */
export function createOutboxStore(deps: {
  messages: EmbeddedOutbox<MessageRecord> | MessageOutbox;
  conversations: EmbeddedOutbox<ConversationRecord>;
  /** When the conversations may hold read events; without it they are read on every poll. */
  reads?: ReadOutboxWatch;
  /** The lease owner of handed-over documents (as given to the message repository). */
  handOverOwner?: string;
  dbLookMs?: number;
  now?: () => number;
}): MessageOutboxStore {
  const dbLookMs = deps.dbLookMs ?? 1_000;
  const now = deps.now ?? Date.now;
  const handed: Candidate[] = [];
  /** Handed-over messages taken by the relay and not yet settled or released. */
  const taken = new Set<string>();
  let dbDirty = true;
  let lastDbLook = Number.NEGATIVE_INFINITY;

  const settle = async (ids: string[]) => {
    const groups = groupIds(ids);
    for (const docId of groups.m.docIds) taken.delete(docId);
    await deps.messages.settle(groups.m.docIds, groups.m.keys);
    await deps.conversations.settle(groups.c.docIds, groups.c.keys);
  };
  const release = async (docIds: string[]) => {
    dbDirty = true;
    for (const docId of docIds) taken.delete(docId);
    if (deps.handOverOwner === undefined || !('release' in deps.messages)) return;
    await deps.messages.release(docIds, deps.handOverOwner);
  };

  // Reads are rare next to sends: the conversations are read only when the watch says they may hold some.
  const pendingDocs = async (n: number): Promise<[MessageRecord[], ConversationRecord[]]> => {
    const { look, token } = deps.reads?.begin() ?? { look: true, token: 0 };
    if (look) {
      const both = await Promise.all([deps.messages.pending(n), deps.conversations.pending(n)]);
      if (both[1].length > 0) deps.reads?.stillPending();
      return both;
    }
    const messageDocs = await deps.messages.pending(n);
    // A read queued while the messages were read may be older than some of them: look after all.
    if (!deps.reads?.changedSince(token)) return [messageDocs, []];
    const conversationDocs = await deps.conversations.pending(n);
    if (conversationDocs.length > 0) deps.reads?.stillPending();
    return [messageDocs, conversationDocs];
  };

  const fromDatabase = async (limit: number): Promise<Candidate[]> => {
    const [messageDocs, conversationDocs] = await pendingDocs(limit + 1);
    const bounds = [messageDocs[limit]?.outboxAt, conversationDocs[limit]?.outboxAt]
      .filter((b) => b !== undefined)
      .map((b) => b.toHexString())
      .sort();
    const bound = bounds[0];
    const candidates = [
      ...messageDocs.slice(0, limit).flatMap(messageCandidates),
      ...conversationDocs.slice(0, limit).flatMap(readCandidates),
    ].sort(byKey);
    const obsolete = candidates.filter((c) => c.payload === null);
    if (obsolete.length > 0) await settle(obsolete.map((c) => c.id));
    const live = candidates.filter((c) => c.payload !== null);
    const ready = bound === undefined ? live : live.filter((c) => c.key < bound);
    // A stale lower bound could hold everything back; releasing the oldest known event keeps the relay moving.
    const released = ready.length > 0 ? ready : live.slice(0, 1);
    return released.slice(0, limit);
  };

  return {
    handOver(message, correlationId) {
      handed.push({
        id: entryId('m', message._id, message._id),
        key: message._id,
        routingKey: 'message.created',
        correlationId,
        payload: messageCreatedEventOf(message),
      });
    },
    changed() {
      dbDirty = true;
    },
    async forget(messageId) {
      const at = handed.findIndex((c) => c.key === messageId);
      if (at === -1) return;
      handed.splice(at, 1);
      await release([messageId]);
    },
    async pending(limit) {
      const fromMemory = handed.splice(0, limit);
      for (const c of fromMemory) taken.add(c.key);
      if (fromMemory.length > 0 && !dbDirty && now() - lastDbLook < dbLookMs) return fromMemory.map(toEntry);
      // Cleared before the read: anything queued while it runs sets it again.
      dbDirty = false;
      lastDbLook = now();
      const stored = await fromDatabase(limit).catch((err: unknown) => {
        handed.unshift(...fromMemory);
        throw err;
      });
      // A handed-over document is leased away from the database read, so the two never hold the same event.
      return [...stored, ...fromMemory].sort(byKey).map(toEntry);
    },
    async close() {
      const left = [...taken, ...handed.splice(0).map((c) => c.key)];
      if (left.length > 0) await release(left);
    },
    markPublished: settle,
    async release(ids) {
      await release(groupIds(ids).m.docIds);
    },
  };
}
