import { invalidTokenError } from '@chat/shared/auth';
import { AppError } from '@chat/shared/http';

/** Every error the auth service answers with, by code. */
export const authErrors = {
  usernameTaken: () => new AppError('AUTH.USERNAME_TAKEN', 400, 'Username already exists'),
  passwordMismatch: () => new AppError('AUTH.PASSWORD_MISMATCH', 400, "Passwords don't match"),
  passwordTooLong: () => new AppError('AUTH.PASSWORD_TOO_LONG', 400, 'Password must be at most 72 bytes'),
  passwordTooCommon: () =>
    new AppError(
      'AUTH.PASSWORD_TOO_COMMON',
      400,
      'This password is one of the most common passwords; choose another',
    ),
  invalidCredentials: () => new AppError('AUTH.INVALID_CREDENTIALS', 400, 'Invalid username or password'),
  // The token was valid but its account is gone: treat it like any other dead session.
  userGone: () => invalidTokenError(),
  badAvatarName: () => new AppError('AUTH.BAD_AVATAR_NAME', 400, 'Invalid avatar name'),
} as const;

/** The codes of a malformed request's 400 (`validate`), whose message is the first problem found. */
export const authInputCodes = {
  body: 'AUTH.INVALID_BODY',
} as const;
