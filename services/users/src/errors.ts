import { AppError } from '@chat/shared/http';

/** Every error the users service answers with, by code. */
export const usersErrors = {
  // The gateway only mints tokens for real user ids; anything else is not a caller we can serve.
  invalidCaller: () => new AppError('USERS.INVALID_CALLER', 401, 'Unauthorized - Invalid Token'),
  selfBlock: () => new AppError('USERS.SELF_BLOCK', 400, "You can't block yourself"),
  unknownCursor: () => new AppError('USERS.INVALID_QUERY', 400, 'Unknown `after` cursor'),
  userNotFound: () => new AppError('USERS.USER_NOT_FOUND', 404, 'User not found'),
  // Only after several lost compare-and-set rounds on one pair: the client may simply retry.
  blockContended: () =>
    new AppError('USERS.BLOCK_CONTENDED', 409, 'The block list changed at the same time; try again'),
} as const;
