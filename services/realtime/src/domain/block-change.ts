import type { UserBlockedEvent } from '@chat/shared/events';
import type { Logger } from '@chat/shared/logger';
import type { BlockChange, RelationsStore } from '../data-access/relations.store.js';

/**
 * `user.blocked` / `user.unblocked`: the block relation realtime enforces (live pushes, typing), applied
 * once per event and only when newer than the pair's last change. A block drops the blocker's held
 * messages from the blocked user.
 */
export async function applyBlockChange(
  deps: { relations: RelationsStore; logger: Logger },
  event: UserBlockedEvent,
  change: BlockChange,
): Promise<void> {
  const { blockerId, blockedId } = event;
  const result = await deps.relations.changeBlock({ ...event, change });
  deps.logger.debug({ blockerId, blockedId, change, ...result }, 'block change applied');
}
