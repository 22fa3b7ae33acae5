import type { StoredMessage } from '../../data-access/message.repository.js';

/** The public shape of a message (SPEC §2); outbox and idempotency fields never leave the service. */
export function toMessageReply(m: StoredMessage) {
  return {
    _id: m._id,
    conversationId: m.conversationId,
    senderId: m.senderId,
    receiverId: m.receiverId,
    message: m.message,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}
