import { isTokenRevoked, readTokenFromCookieHeader, verifyUserToken } from '@chat/shared/auth';
import type { Logger } from '@chat/shared/logger';
import type { Redis } from '@chat/shared/redis';
import { handshakeErrors } from '../../errors.js';
import type { RealtimeSocket } from './io.server.js';

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Browsers send the `jwt` cookie; other clients send `auth.token`, or (when they connect through the
 * gateway, which must see the token on the HTTP handshake) `Authorization: Bearer` or `?token=`.
 */
function tokenOf(socket: RealtimeSocket): string | undefined {
  const { headers, auth, query } = socket.handshake;
  const bearer = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1];
  return (
    readTokenFromCookieHeader(headers.cookie) ??
    (typeof auth === 'object' && auth !== null && 'token' in auth ? nonEmpty(auth.token) : undefined) ??
    bearer ??
    nonEmpty(query.token)
  );
}

/**
 * Handshake check: the `jwt` cookie (browsers) or `auth.token` (other clients) must verify and not be on
 * the deny-list. The refusal's message reaches the client as its `connect_error`.
 */
export function authenticateHandshake(deps: {
  jwtSecret: string;
  redis: Redis;
  isDraining: () => boolean;
  logger: Logger;
}) {
  return async (socket: RealtimeSocket, next: (err?: Error) => void): Promise<void> => {
    if (deps.isDraining()) return next(handshakeErrors.draining());
    const token = tokenOf(socket);
    if (!token) return next(handshakeErrors.noToken());
    let claims: ReturnType<typeof verifyUserToken>;
    try {
      claims = verifyUserToken(token, deps.jwtSecret);
    } catch {
      return next(handshakeErrors.invalidToken());
    }
    try {
      if (await isTokenRevoked(deps.redis, claims.jti)) return next(handshakeErrors.invalidToken());
    } catch (err) {
      // Fail closed: without the deny-list a revoked token would get in.
      deps.logger.warn({ err }, 'deny-list check failed during handshake');
      return next(handshakeErrors.unavailable());
    }
    socket.data = { userId: claims.sub, jti: claims.jti, exp: claims.exp };
    next();
  };
}
