import { randomUUID } from 'node:crypto';
import type {
  ConversationReadEvent,
  MessageCreatedEvent,
  MessageDeletedEvent,
  MessageUpdatedEvent,
  UserBlockedEvent,
} from '@chat/shared/events';
import { newObjectId } from '@chat/shared/testing';

const envelope = (occurredAt = new Date()) => ({
  eventId: randomUUID(),
  occurredAt: occurredAt.toISOString(),
});

/** The `message.updated` event of `created`'s message edited to `text`. */
export function updatedEvent(
  created: MessageCreatedEvent,
  text: string,
  editedAt = new Date(),
): MessageUpdatedEvent {
  return { ...envelope(), message: { ...created.message, message: text, editedAt: editedAt.toISOString() } };
}

/** The `message.deleted` event (tombstone) of `created`'s message. */
export function deletedEvent(created: MessageCreatedEvent, deletedAt = new Date()): MessageDeletedEvent {
  return { ...envelope(), message: { ...created.message, message: '', deletedAt: deletedAt.toISOString() } };
}

/** `readerId` read the conversation with `peerId` up to `upTo`. */
export function readEvent(readerId: string, peerId: string, upTo = newObjectId()): ConversationReadEvent {
  return {
    ...envelope(),
    conversationId: newObjectId(),
    readerId,
    peerId,
    upTo,
    readAt: new Date().toISOString(),
  };
}

/** A `user.blocked` / `user.unblocked` event that occurred at `occurredAt`. */
export function blockEvent(blockerId: string, blockedId: string, occurredAt = new Date()): UserBlockedEvent {
  return { ...envelope(occurredAt), blockerId, blockedId };
}
