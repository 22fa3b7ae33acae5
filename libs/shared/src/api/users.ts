import { z } from 'zod';
import { objectId, pageLimit } from './common.js';

/** The most users one `GET /api/users` page holds, and the page size when `limit` is not given. */
export const USERS_PAGE_MAX = 200;

// Each parameter must be one short string; anything else (arrays, `q[$ne]`-style keys, unknown params) is
// refused. `q` matches the start of the username, of the full name or of any word in either; `after` is the
// `_id` of the last user of the previous page (pages follow fullName, then _id).
export const listUsersQuery = z.strictObject({
  q: z.string().trim().max(50).optional(),
  after: objectId.optional(),
  limit: pageLimit(USERS_PAGE_MAX).optional(),
});

export const userListItem = z.strictObject({
  _id: objectId,
  fullName: z.string(),
  username: z.string(),
  profilePic: z.string(),
  gender: z.enum(['male', 'female']),
  status: z.enum(['Available', 'Busy']),
  online: z.boolean(),
  /** When a Busy status ends by itself (ISO), else null. */
  statusUntil: z.iso.datetime().nullable(),
  /** The caller blocked this user. */
  blocked: z.boolean(),
});

export const blockReply = z.strictObject({ userId: objectId, blocked: z.boolean() });

export type UserListItem = z.infer<typeof userListItem>;
export type BlockReply = z.infer<typeof blockReply>;
