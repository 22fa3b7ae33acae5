import { ROUTING_KEYS } from '@chat/shared/events';
import type { Logger } from '@chat/shared/logger';
import type { Broker, Consumer } from '@chat/shared/messaging';
import type { UserRepository } from '../../data-access/user.repository.js';
import { recordRegisteredUser } from '../../domain/record-registered-user.js';

/** Fill the directory from `user.registered`; the shared consumer acks only after the handler resolves. */
export function consumeUserRegistered(
  broker: Broker,
  deps: { queue: string; users: UserRepository; logger: Logger },
): Promise<Consumer> {
  return broker.consume({
    queue: deps.queue,
    routingKey: ROUTING_KEYS.userRegistered,
    handler: async (event) => {
      const wrote = await recordRegisteredUser(deps.users, event);
      deps.logger.info({ userId: event.user._id, eventId: event.eventId, wrote }, 'user.registered handled');
    },
  });
}
