import { CONVERSATIONS_DEFAULT_LIMIT } from '@chat/shared/api';
import type { ConversationRepository } from '../data-access/conversation.repository.js';
import type { MessageRepository, StoredMessage } from '../data-access/message.repository.js';
import { unreadCountOf } from './read-conversation.js';

export interface ConversationSummary {
  _id: string;
  peerId: string;
  lastMessage: StoredMessage;
  unreadCount: number;
  lastReadId: string | null;
  peerLastReadId: string | null;
}

/**
 * The caller's conversations, newest last message first, paged by that message's id. Two queries per page:
 * the conversations (by the participants + lastMessageId index), then their last messages by id, so an edit
 * or a delete shows in the list without touching the conversation.
 */
export async function listConversations(
  deps: { messages: MessageRepository; conversations: ConversationRepository },
  callerId: string,
  page: { before?: string; limit?: number },
): Promise<ConversationSummary[]> {
  const conversations = await deps.conversations.listFor(callerId, {
    before: page.before,
    limit: page.limit ?? CONVERSATIONS_DEFAULT_LIMIT,
  });
  const ids = conversations.flatMap((c) => (c.lastMessageId ? [c.lastMessageId] : []));
  const byId = new Map((await deps.messages.findByIds(ids)).map((m) => [m._id, m]));
  const summaries: ConversationSummary[] = [];
  for (const conversation of conversations) {
    // A send that counted but whose insert failed (a lost idempotency race, a crash) names a message that
    // does not exist: fall back to the newest one stored.
    const lastMessage =
      byId.get(conversation.lastMessageId ?? '') ??
      (await deps.messages.page(conversation._id, { limit: 1 }))[0];
    if (!lastMessage) continue;
    const [a, b] = conversation.participants;
    const peerId = a === callerId ? b : a;
    summaries.push({
      _id: conversation._id,
      peerId,
      lastMessage,
      unreadCount: unreadCountOf(conversation, callerId, peerId),
      lastReadId: conversation.reads[callerId]?.upTo ?? null,
      peerLastReadId: conversation.reads[peerId]?.upTo ?? null,
    });
  }
  return summaries;
}
