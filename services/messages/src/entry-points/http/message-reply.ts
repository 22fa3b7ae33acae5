import type { MessageReply } from '@chat/shared/api';
import type { StoredMessage } from '../../data-access/message.repository.js';

/** The public shape of a message (SPEC §2, §7.2); outbox, counters and idempotency never leave the service. */
export function toMessageReply(m: StoredMessage): MessageReply {
  return {
    _id: m._id,
    conversationId: m.conversationId,
    senderId: m.senderId,
    receiverId: m.receiverId,
    message: m.message,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    ...(m.editedAt ? { editedAt: m.editedAt.toISOString() } : {}),
    ...(m.deletedAt ? { deletedAt: m.deletedAt.toISOString() } : {}),
  };
}
