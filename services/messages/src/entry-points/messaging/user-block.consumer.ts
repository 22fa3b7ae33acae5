import { ROUTING_KEYS } from '@chat/shared/events';
import type { Logger } from '@chat/shared/logger';
import type { Broker, Consumer } from '@chat/shared/messaging';
import type { ConversationRepository } from '../../data-access/conversation.repository.js';
import { applyBlockChange } from '../../domain/apply-block-change.js';

interface BlockConsumerDeps {
  queues: { blocked: string; unblocked: string };
  conversations: ConversationRepository;
  logger: Logger;
}

/** Keep this service's copy of the block list from `user.blocked` / `user.unblocked`; acked once applied. */
export async function consumeUserBlockChanges(broker: Broker, deps: BlockConsumerDeps): Promise<Consumer[]> {
  const blocked = await broker.consume({
    queue: deps.queues.blocked,
    routingKey: ROUTING_KEYS.userBlocked,
    handler: async (event) => {
      await applyBlockChange(deps.conversations, event, true);
      deps.logger.debug({ eventId: event.eventId }, 'user.blocked handled');
    },
  });
  const unblocked = await broker.consume({
    queue: deps.queues.unblocked,
    routingKey: ROUTING_KEYS.userUnblocked,
    handler: async (event) => {
      await applyBlockChange(deps.conversations, event, false);
      deps.logger.debug({ eventId: event.eventId }, 'user.unblocked handled');
    },
  });
  return [blocked, unblocked];
}
