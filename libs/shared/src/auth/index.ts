export { type Caller, IDENTITY_HEADERS, INTERNAL_TOKEN, USER_TOKEN, type UserClaims } from './constants.js';
export {
  isRevokedBy,
  issueTimeFor,
  isTokenRevoked,
  parseRevocation,
  type RevocableClaims,
  type Revocation,
  revokedTokens,
  revokeToken,
  revokeUserTokens,
} from './deny-list.js';
export { invalidTokenError, noTokenError, UNAUTHORIZED } from './errors.js';
export { callerOf, requireCaller, signInternalToken, verifyInternalToken } from './internal-token.js';
export { readTokenFromCookieHeader, signUserToken, userTokenCookie, verifyUserToken } from './user-token.js';
export { rememberBounded, rememberVerified } from './verified-tokens.js';
