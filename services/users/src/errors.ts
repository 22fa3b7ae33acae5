import { invalidTokenError } from '@chat/shared/auth';
import { AppError } from '@chat/shared/http';

/** Every error the users service answers with, by code. */
export const usersErrors = {
  // The gateway only mints tokens for real user ids; anything else is not a caller we can serve.
  invalidCaller: () => invalidTokenError('USERS.INVALID_CALLER'),
  selfBlock: () => new AppError('USERS.SELF_BLOCK', 400, "You can't block yourself"),
  unknownCursor: () => new AppError(usersInputCodes.query, 400, 'Unknown `after` cursor'),
  userNotFound: () => new AppError('USERS.USER_NOT_FOUND', 404, 'User not found'),
  // Only after several lost compare-and-set rounds on one pair: the client may simply retry.
  blockContended: () =>
    new AppError('USERS.BLOCK_CONTENDED', 409, 'The block list changed at the same time; try again'),
} as const;

/** The codes of a malformed request's 400 (`validate`), whose message is the first problem found. */
export const usersInputCodes = {
  id: 'USERS.INVALID_ID',
  query: 'USERS.INVALID_QUERY',
} as const;
