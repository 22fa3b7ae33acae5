import { z } from 'zod';
import { isoDateTime, objectId } from './common.js';

/** Characters a username may contain; avatar names follow the same rule. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
/** An avatar's name: a username-like word of 1 to 30 characters. */
export const AVATAR_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,30}$/;

/** The shortest password a new account may have (its rules are shown to users as the signup hint). */
export const PASSWORD_MIN_LENGTH = 8;

// Strict objects of plain strings: an operator object such as {"$gt": ""} or an unknown key is a 400.
// The C0 and C1 controls (\p{Cc}) spelled as ranges: the pattern reaches the API description, and JSON Schema
// tools do not all compile patterns with the `u` flag that \p{…} needs.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const noControlChars = /^[^\x00-\x1f\x7f-\x9f]*$/;
export const signupBody = z.strictObject({
  fullName: z
    .string()
    .trim()
    .min(1)
    .max(50)
    .regex(noControlChars, { error: 'must not contain control characters' }),
  username: z
    .string()
    .trim()
    .min(3)
    .max(30)
    .regex(USERNAME_PATTERN, { error: 'may contain only letters, digits, "_", "." and "-"' }),
  // The 72-byte bcrypt limit and the common-password list are checked by the use case, with their own codes.
  password: z.string().min(PASSWORD_MIN_LENGTH).max(1024),
  confirmPassword: z.string().max(1024),
  gender: z.enum(['male', 'female']),
});

export const loginBody = z.strictObject({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(1024),
});

export const avatarParams = z.strictObject({ name: z.string().regex(AVATAR_NAME_PATTERN) });

/** The user as signup and login return it. */
export const publicUserReply = z.strictObject({
  _id: objectId,
  fullName: z.string(),
  username: z.string(),
  profilePic: z.string(),
});

/** `GET /api/auth/me`: the public user plus what only its owner sees. */
export const meReply = publicUserReply.extend({
  gender: z.enum(['male', 'female']),
  createdAt: isoDateTime,
});

export const logoutReply = z.strictObject({ message: z.string() });

export type SignupBody = z.infer<typeof signupBody>;
export type LoginBody = z.infer<typeof loginBody>;
export type PublicUserReply = z.infer<typeof publicUserReply>;
export type MeReply = z.infer<typeof meReply>;
