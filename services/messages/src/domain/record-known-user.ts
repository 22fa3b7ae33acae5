import type { UserRegisteredEvent } from '@chat/shared/events';
import type { KnownUserRepository } from '../data-access/known-user.repository.js';

/** Remember that a user exists so sends to them are accepted; idempotent (redeliveries change nothing). */
export async function recordKnownUser(
  knownUsers: KnownUserRepository,
  event: UserRegisteredEvent,
): Promise<void> {
  await knownUsers.remember(event.user._id, new Date(event.user.createdAt));
}
