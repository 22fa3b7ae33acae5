import type {
  ConversationReadEvent,
  MessageCreatedEvent,
  MessageDeletedEvent,
  MessageUpdatedEvent,
} from '@chat/shared/events';
import type { StoredMessage } from '../data-access/message.repository.js';

const identityOf = (m: StoredMessage) => ({
  _id: m._id,
  conversationId: m.conversationId,
  senderId: m.senderId,
  receiverId: m.receiverId,
  createdAt: m.createdAt.toISOString(),
});

/** The `message.created` event of a stored message; the same message always gives the same event. */
export function messageCreatedEventOf(m: StoredMessage): MessageCreatedEvent {
  return {
    eventId: m.eventId,
    occurredAt: m.createdAt.toISOString(),
    message: { ...identityOf(m), message: m.message },
  };
}

/** `message.updated` carries the message as it is now: an event republished after a later edit has the final text. */
export function messageUpdatedEventOf(
  m: StoredMessage & { editedAt: Date },
  event: { eventId: string; occurredAt: Date },
): MessageUpdatedEvent {
  return {
    eventId: event.eventId,
    occurredAt: event.occurredAt.toISOString(),
    message: { ...identityOf(m), message: m.message, editedAt: m.editedAt.toISOString() },
  };
}

export function messageDeletedEventOf(
  m: StoredMessage & { deletedAt: Date },
  event: { eventId: string; occurredAt: Date },
): MessageDeletedEvent {
  return {
    eventId: event.eventId,
    occurredAt: event.occurredAt.toISOString(),
    message: { ...identityOf(m), message: '', deletedAt: m.deletedAt.toISOString() },
  };
}

/** A queued read: `readerId` read the conversation with `peerId` up to message `upTo`. */
export interface QueuedRead {
  eventId: string;
  occurredAt: Date;
  readerId: string;
  peerId: string;
  upTo: string;
}

export function conversationReadEventOf(conversationId: string, e: QueuedRead): ConversationReadEvent {
  return {
    eventId: e.eventId,
    occurredAt: e.occurredAt.toISOString(),
    conversationId,
    readerId: e.readerId,
    peerId: e.peerId,
    upTo: e.upTo,
    readAt: e.occurredAt.toISOString(),
  };
}
