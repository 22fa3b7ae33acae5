import { newEventEnvelope, type UserRegisteredEvent, userRegisteredEvent } from '../events/index.js';
import { newObjectId, uniqueName } from './env.js';

/**
 * A `user.registered` event for a fresh user named `user_…` (so its name, username and avatar path are
 * unique too), validated by the shared schema; fields of the user and of the envelope can be overridden.
 */
export function userRegisteredFixture(
  user: Partial<UserRegisteredEvent['user']> = {},
  envelope: Partial<Pick<UserRegisteredEvent, 'eventId' | 'occurredAt'>> = {},
): UserRegisteredEvent {
  const username = user.username ?? uniqueName('user').replaceAll('-', '_');
  return userRegisteredEvent.parse({
    ...newEventEnvelope(),
    ...envelope,
    user: {
      _id: newObjectId(),
      fullName: `Test ${username}`,
      username,
      gender: 'female',
      profilePic: `/avatars/${username}.svg`,
      createdAt: new Date().toISOString(),
      ...user,
    },
  });
}
