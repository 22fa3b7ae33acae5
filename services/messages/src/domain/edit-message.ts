import type { MessageRepository, StoredMessage } from '../data-access/message.repository.js';
import { messagesErrors } from '../errors.js';

/** Why a change to `messageId` by `callerId` matched nothing: unknown, someone else's, or already deleted. */
export async function explainUnchanged(
  messages: MessageRepository,
  messageId: string,
  callerId: string,
): Promise<StoredMessage & { deletedAt: Date }> {
  const existing = await messages.findById(messageId);
  if (!existing) throw messagesErrors.messageNotFound();
  if (existing.senderId !== callerId) throw messagesErrors.notYourMessage();
  if (existing.deletedAt) return { ...existing, deletedAt: existing.deletedAt };
  // Matched nothing, yet exists, is ours and undeleted: only a concurrent delete-then-nothing fits; retry.
  throw new Error(`message ${messageId} changed under a concurrent write`);
}

/**
 * Replace the text of the caller's own message. The new text and its `message.updated` event are one
 * single-document write; a deleted message stays deleted (409).
 */
export async function editMessage(
  deps: { messages: MessageRepository; notifyOutbox: () => void },
  input: { callerId: string; messageId: string; text: string; correlationId?: string },
): Promise<StoredMessage> {
  const { messageId, callerId, text, correlationId } = input;
  const edited = await deps.messages.edit(messageId, callerId, text, new Date(), correlationId);
  if (!edited) {
    await explainUnchanged(deps.messages, input.messageId, input.callerId);
    throw messagesErrors.messageDeleted();
  }
  deps.notifyOutbox();
  return edited;
}
