import { AppError } from '@chat/shared/http';

/** Every error the users service answers with, by code. */
export const usersErrors = {
  // The gateway only mints tokens for real user ids; anything else is not a caller we can serve.
  invalidCaller: () => new AppError('USERS.INVALID_CALLER', 401, 'Unauthorized - Invalid Token'),
} as const;
