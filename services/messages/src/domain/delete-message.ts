import type { MessageRepository } from '../data-access/message.repository.js';
import { explainUnchanged } from './edit-message.js';

export interface DeletedMessage {
  _id: string;
  conversationId: string;
  deletedAt: Date;
}

/**
 * Delete the caller's own message: its text is erased from storage (the document stays as a tombstone) and
 * `message.deleted` is queued in the same write. Deleting again answers the first deletion.
 */
export async function deleteMessage(
  deps: { messages: MessageRepository; notifyOutbox: () => void },
  input: { callerId: string; messageId: string; correlationId?: string },
): Promise<DeletedMessage> {
  const erased = await deps.messages.erase(input.messageId, input.callerId, new Date(), input.correlationId);
  const tombstone = erased?.deletedAt
    ? { ...erased, deletedAt: erased.deletedAt }
    : await explainUnchanged(deps.messages, input.messageId, input.callerId);
  if (erased) deps.notifyOutbox();
  return { _id: tombstone._id, conversationId: tombstone.conversationId, deletedAt: tombstone.deletedAt };
}
