import type { UserRegisteredEvent } from '@chat/shared/events';
import type { UserRepository } from '../data-access/user.repository.js';
import { searchTerms } from './search-terms.js';

/**
 * Copy a registered user into the directory. Idempotent: a redelivered (or older) event changes nothing,
 * so the consumer can ack after this resolves whatever happened before.
 */
export async function recordRegisteredUser(
  users: UserRepository,
  event: UserRegisteredEvent,
): Promise<boolean> {
  const { user } = event;
  return users.upsertFromEvent({
    _id: user._id,
    fullName: user.fullName,
    username: user.username,
    gender: user.gender,
    profilePic: user.profilePic,
    createdAt: new Date(user.createdAt),
    occurredAt: new Date(event.occurredAt),
    searchTerms: searchTerms(user.username, user.fullName),
  });
}
