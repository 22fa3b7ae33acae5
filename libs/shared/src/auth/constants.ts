/** The browser's session token, signed only by the auth service. */
export const USER_TOKEN = {
  algorithm: 'HS256',
  issuer: 'chat-auth',
  audience: 'chat',
  ttlSeconds: 15 * 24 * 3600,
  cookieName: 'jwt',
} as const;

/** The short-lived token the gateway mints to tell a service who the caller is. */
export const INTERNAL_TOKEN = {
  algorithm: 'HS256',
  issuer: 'chat-gateway',
  audience: 'chat-internal',
  ttlSeconds: 60,
  header: 'x-internal-token',
} as const;

/** Headers the gateway strips from client requests: only it may state who the caller is. */
export const IDENTITY_HEADERS: readonly string[] = [
  'x-internal-token',
  'x-user-id',
  'x-user',
  'x-auth-user',
  'x-forwarded-user',
  'x-caller',
];

export interface UserClaims {
  sub: string;
  jti: string;
  iat: number;
  exp: number;
}

export interface Caller {
  userId: string;
  jti: string;
  tokenExp: number;
}
