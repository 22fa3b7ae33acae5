import type {
  ConversationReadEvent,
  MessageCreatedEvent,
  MessageDeletedEvent,
  MessageUpdatedEvent,
} from '@chat/shared/events';
import type { ReadOutboxEvent } from '../data-access/conversation.model.js';
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

export function conversationReadEventOf(conversationId: string, e: ReadOutboxEvent): ConversationReadEvent {
  return {
    eventId: e.eventId,
    occurredAt: e.occurredAt.toISOString(),
    conversationId,
    readerId: e.readerId.toHexString(),
    peerId: e.peerId.toHexString(),
    upTo: e.upTo.toHexString(),
    readAt: e.occurredAt.toISOString(),
  };
}
