import { type MessageCreatedEvent, ROUTING_KEYS } from '@chat/shared/events';
import type { OutboxStore } from '@chat/shared/messaging';
import type { MessageRepository, StoredMessage } from '../data-access/message.repository.js';

/** The `message.created` event of a stored message; the same message always gives the same event. */
export function messageCreatedEventOf(message: StoredMessage): MessageCreatedEvent {
  return {
    eventId: message.eventId,
    occurredAt: message.createdAt.toISOString(),
    message: {
      _id: message._id,
      conversationId: message.conversationId,
      senderId: message.senderId,
      receiverId: message.receiverId,
      message: message.message,
      createdAt: message.createdAt.toISOString(),
    },
  };
}

/**
 * The outbox is the messages collection itself: a message is written with `publishedAt: null` in the same
 * insert, so no crash can separate a stored message from its pending event.
 */
export function createMessageOutbox(messages: MessageRepository): OutboxStore {
  return {
    async pending(limit) {
      const unpublished = await messages.unpublished(limit);
      return unpublished.map((m) => ({
        id: m._id,
        routingKey: ROUTING_KEYS.messageCreated,
        payload: messageCreatedEventOf(m),
      }));
    },
    markPublished: (ids) => messages.markPublished(ids),
  };
}
