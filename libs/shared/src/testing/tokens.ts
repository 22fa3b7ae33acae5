import type { UserClaims } from '../auth/constants.js';
import { signInternalToken } from '../auth/internal-token.js';
import { signUserToken } from '../auth/user-token.js';

/** Secrets every test config uses for JWT_SECRET and INTERNAL_TOKEN_SECRET. */
export const TEST_SECRETS: { jwt: string; internal: string } = {
  jwt: 'test-jwt-secret-0123456789abcdef0123456789',
  internal: 'test-internal-secret-0123456789abcdef01234',
};

/** A real user token for `userId` and the internal token the gateway would mint for it, both from TEST_SECRETS. */
export function bearerFor(userId: string): { token: string; claims: UserClaims; internalToken: string } {
  const { token, claims } = signUserToken(userId, TEST_SECRETS.jwt);
  const internalToken = signInternalToken(
    { userId, jti: claims.jti, tokenExp: claims.exp },
    TEST_SECRETS.internal,
  );
  return { token, claims, internalToken };
}
