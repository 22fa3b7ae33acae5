import { z } from 'zod';
import { objectId } from './common.js';

// `q` must be one short string; anything else (arrays, `q[$ne]`-style keys, unknown params) is refused.
export const listUsersQuery = z.strictObject({ q: z.string().trim().max(50).optional() });

export const userListItem = z.strictObject({
  _id: objectId,
  fullName: z.string(),
  username: z.string(),
  profilePic: z.string(),
  gender: z.enum(['male', 'female']),
  status: z.enum(['Available', 'Busy']),
  online: z.boolean(),
  /** The caller blocked this user. */
  blocked: z.boolean(),
});

export const blockReply = z.strictObject({ userId: objectId, blocked: z.boolean() });

export type UserListItem = z.infer<typeof userListItem>;
export type BlockReply = z.infer<typeof blockReply>;
