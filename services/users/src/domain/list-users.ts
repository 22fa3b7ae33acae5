import { USERS_PAGE_MAX } from '@chat/shared/api';
import type { UserStatus } from '@chat/shared/redis';
import type { BlockRepository } from '../data-access/block.repository.js';
import type { DirectoryUser, UserRepository } from '../data-access/user.repository.js';
import { usersErrors } from '../errors.js';
import { normalizeForSearch, prefixUpperBound } from './search-terms.js';

export type PresenceReader = (
  userIds: string[],
) => Promise<Map<string, { online: boolean; status: UserStatus; statusUntil: string | null }>>;

export interface ListedUser extends DirectoryUser {
  status: UserStatus;
  /** When a Busy status ends by itself (ISO), else null. */
  statusUntil: string | null;
  online: boolean;
  /** The caller blocked this user. Blocked users stay listed so the client can offer to unblock them. */
  blocked: boolean;
}

export interface ListUsersQuery {
  search?: string;
  after?: string;
  limit?: number;
}

/**
 * One page (at most 200) of the users but the caller, by fullName then _id, with presence and block flag.
 * `search` matches the start of the username, of the full name or of any word in either, ignoring case.
 */
export async function listUsers(
  deps: { users: UserRepository; blocks: BlockRepository; readPresence: PresenceReader },
  callerId: string,
  query: ListUsersQuery,
): Promise<ListedUser[]> {
  const prefix = query.search ? normalizeForSearch(query.search) : '';
  const [users, blockedIds] = await Promise.all([
    deps.users.listOthers(callerId, {
      termRange: prefix ? { from: prefix, to: prefixUpperBound(prefix) } : undefined,
      afterId: query.after,
      limit: Math.min(query.limit ?? USERS_PAGE_MAX, USERS_PAGE_MAX),
    }),
    deps.blocks.listBlockedBy(callerId),
  ]);
  if (!users) throw usersErrors.unknownCursor();
  if (users.length === 0) return [];
  const presence = await deps.readPresence(users.map((u) => u._id));
  return users.map((user) => {
    const state = presence.get(user._id);
    return {
      ...user,
      status: state?.status ?? 'Available',
      statusUntil: state?.statusUntil ?? null,
      online: state?.online ?? false,
      blocked: blockedIds.has(user._id),
    };
  });
}
