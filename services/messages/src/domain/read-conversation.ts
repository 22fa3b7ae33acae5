import type { ConversationRepository, StoredConversation } from '../data-access/conversation.repository.js';
import type { MessageRepository } from '../data-access/message.repository.js';
import { messagesErrors } from '../errors.js';

export interface ReadResult {
  conversationId: string;
  upTo: string;
  unreadCount: number;
}

/** The peer's messages after `readerId`'s mark: a difference of two kept counters, never a scan. */
export function unreadCountOf(conversation: StoredConversation, readerId: string, peerId: string): number {
  const sent = conversation.sent[peerId] ?? 0;
  const seen = conversation.reads[readerId]?.seen ?? 0;
  return Math.max(0, sent - seen);
}

/**
 * Mark the conversation with `peerId` read up to the message `upTo` (which must belong to it). The mark only
 * moves forward: an older `upTo` changes nothing and answers the current mark. O(1): the message carries the
 * peer's running count up to it (its own `seq` when the peer sent it, the `peerSeq` snapshot when we did).
 */
export async function readConversation(
  deps: { messages: MessageRepository; conversations: ConversationRepository; notifyOutbox: () => void },
  input: { readerId: string; peerId: string; upTo: string },
): Promise<ReadResult> {
  const { readerId, peerId, upTo } = input;
  const message = await deps.messages.findById(upTo);
  const pair = message ? [message.senderId, message.receiverId] : [];
  if (!message || readerId === peerId || !pair.includes(readerId) || !pair.includes(peerId)) {
    throw messagesErrors.messageNotFound();
  }
  const seen = message.senderId === peerId ? message.seq : message.peerSeq;
  const marked = await deps.conversations.markRead({
    conversationId: message.conversationId,
    readerId,
    peerId,
    upTo,
    seen,
    at: new Date(),
  });
  if (marked) deps.notifyOutbox();
  const conversation = marked ?? (await deps.conversations.findById(message.conversationId));
  if (!conversation) throw messagesErrors.messageNotFound();
  return {
    conversationId: conversation._id,
    upTo: conversation.reads[readerId]?.upTo ?? upTo,
    unreadCount: unreadCountOf(conversation, readerId, peerId),
  };
}
