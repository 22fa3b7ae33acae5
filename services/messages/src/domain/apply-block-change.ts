import type { UserBlockedEvent, UserUnblockedEvent } from '@chat/shared/events';
import type { ConversationRepository } from '../data-access/conversation.repository.js';
import { pairKeyOf, sortedPair } from './pair-key.js';

/**
 * Record on the pair's conversation (created if needed) that `blockerId` blocks or no longer blocks the
 * other. Idempotent, and ordered by `occurredAt` per blocker: a redelivered older event changes nothing.
 */
export async function applyBlockChange(
  conversations: ConversationRepository,
  event: UserBlockedEvent | UserUnblockedEvent,
  blocked: boolean,
): Promise<void> {
  const { blockerId, blockedId } = event;
  if (blockerId === blockedId) return;
  await conversations.setBlock({
    pairKey: pairKeyOf(blockerId, blockedId),
    participants: sortedPair(blockerId, blockedId),
    blockerId,
    blocked,
    at: new Date(event.occurredAt),
  });
}
