import { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT } from '@chat/shared/api';
import type { ConversationRepository } from '../data-access/conversation.repository.js';
import type { MessageRepository, StoredMessage } from '../data-access/message.repository.js';
import { pairKeyOf } from './pair-key.js';

/**
 * A page of the conversation between the caller and `otherId`, oldest first: the newest `limit` messages,
 * or those just before `before`. The pair key comes from the caller's own id, so nobody reads others' chats.
 */
export async function getHistory(
  deps: { messages: MessageRepository; conversations: ConversationRepository },
  callerId: string,
  otherId: string,
  page: { before?: string; limit?: number },
): Promise<StoredMessage[]> {
  const conversationId = await deps.conversations.findIdByPairKey(pairKeyOf(callerId, otherId));
  if (!conversationId) return [];
  const limit = Math.min(page.limit ?? HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT);
  return deps.messages.page(conversationId, { before: page.before, limit });
}
