import { ROUTING_KEYS } from '@chat/shared/events';
import type { Logger } from '@chat/shared/logger';
import type { Broker, Consumer } from '@chat/shared/messaging';
import type { KnownUserRepository } from '../../data-access/known-user.repository.js';
import { recordKnownUser } from '../../domain/record-known-user.js';

/** Learn which users exist from `user.registered`; the shared consumer acks only after the handler resolves. */
export function consumeUserRegistered(
  broker: Broker,
  deps: { queue: string; knownUsers: KnownUserRepository; logger: Logger },
): Promise<Consumer> {
  return broker.consume({
    queue: deps.queue,
    routingKey: ROUTING_KEYS.userRegistered,
    handler: async (event) => {
      await recordKnownUser(deps.knownUsers, event);
      deps.logger.debug({ userId: event.user._id, eventId: event.eventId }, 'user.registered handled');
    },
  });
}
