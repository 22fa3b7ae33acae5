import type { UserRecord, UserRepository } from '../data-access/user.repository.js';
import { authErrors } from '../errors.js';

/** The caller's own account; a token whose account no longer exists is treated as invalid. */
export async function getMe(userId: string, deps: { users: UserRepository }): Promise<UserRecord> {
  const user = await deps.users.findById(userId);
  if (!user) throw authErrors.userGone();
  return user;
}
