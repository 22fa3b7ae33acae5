import { AppError } from '../http/app-error.js';

/**
 * The two 401 replies of every protected route and of a refused socket handshake (their texts are part of
 * the public contract). A service may answer the invalid-token one under its own code (a malformed caller).
 */
export const UNAUTHORIZED = {
  noToken: { code: 'AUTH.NO_TOKEN', message: 'Unauthorized - No Token Provided' },
  invalidToken: { code: 'AUTH.INVALID_TOKEN', message: 'Unauthorized - Invalid Token' },
} as const;

/** 401 `Unauthorized - No Token Provided` (AUTH.NO_TOKEN). */
export function noTokenError(): AppError {
  return new AppError(UNAUTHORIZED.noToken.code, 401, UNAUTHORIZED.noToken.message);
}

/** 401 `Unauthorized - Invalid Token`, under AUTH.INVALID_TOKEN unless `code` names the precise reason. */
export function invalidTokenError(code: string = UNAUTHORIZED.invalidToken.code): AppError {
  return new AppError(code, 401, UNAUTHORIZED.invalidToken.message);
}
