import type { UserStatus } from '@chat/shared/redis';
import type { BlockRepository } from '../data-access/block.repository.js';
import type { DirectoryUser, UserRepository } from '../data-access/user.repository.js';

export type PresenceReader = (
  userIds: string[],
) => Promise<Map<string, { online: boolean; status: UserStatus }>>;

export interface ListedUser extends DirectoryUser {
  status: UserStatus;
  online: boolean;
  /** The caller blocked this user. Blocked users stay listed so the client can offer to unblock them. */
  blocked: boolean;
}

/** Every user but the caller (optionally matching `search`), sorted by fullName, with presence and block flag. */
export async function listUsers(
  deps: { users: UserRepository; blocks: BlockRepository; readPresence: PresenceReader },
  callerId: string,
  search: string | undefined,
): Promise<ListedUser[]> {
  const [users, blockedIds] = await Promise.all([
    deps.users.listOthers(callerId, search),
    deps.blocks.listBlockedBy(callerId),
  ]);
  if (users.length === 0) return [];
  const presence = await deps.readPresence(users.map((u) => u._id));
  return users.map((user) => {
    const state = presence.get(user._id);
    return {
      ...user,
      status: state?.status ?? 'Available',
      online: state?.online ?? false,
      blocked: blockedIds.has(user._id),
    };
  });
}
