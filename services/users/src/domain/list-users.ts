import type { UserStatus } from '@chat/shared/redis';
import type { DirectoryUser, UserRepository } from '../data-access/user.repository.js';

export type PresenceReader = (
  userIds: string[],
) => Promise<Map<string, { online: boolean; status: UserStatus }>>;

export interface ListedUser extends DirectoryUser {
  status: UserStatus;
  online: boolean;
}

/** Every user but the caller (optionally matching `search`), sorted by fullName, with live presence. */
export async function listUsers(
  deps: { users: UserRepository; readPresence: PresenceReader },
  callerId: string,
  search: string | undefined,
): Promise<ListedUser[]> {
  const users = await deps.users.listOthers(callerId, search);
  if (users.length === 0) return [];
  const presence = await deps.readPresence(users.map((u) => u._id));
  return users.map((user) => {
    const state = presence.get(user._id);
    return { ...user, status: state?.status ?? 'Available', online: state?.online ?? false };
  });
}
