import { readTokenFromCookieHeader, verifyUserToken } from '@chat/shared/auth';
import type { Logger } from '@chat/shared/logger';
import type { AdmissionFact, AdmissionLimits, Greeting } from '../../domain/admission.js';
import type { PresenceTracker } from '../../domain/presence.js';
import { type HandshakeError, handshakeErrors } from '../../errors.js';
import type { RealtimeSocket } from './io.server.js';

/** The header in which the gateway states the client's address (it removes any copy a client sends). */
export const CLIENT_ADDRESS_HEADER = 'x-client-address';

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Browsers send the `jwt` cookie; other clients send `auth.token`, or (when they connect through the
 * gateway, which must see the token on the HTTP handshake) `Authorization: Bearer`. Never the URL: query
 * strings end up in access logs.
 */
function tokenOf(socket: RealtimeSocket): string | undefined {
  const { headers, auth } = socket.handshake;
  const bearer = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1];
  return (
    readTokenFromCookieHeader(headers.cookie) ??
    (typeof auth === 'object' && auth !== null && 'token' in auth ? nonEmpty(auth.token) : undefined) ??
    bearer
  );
}

/** The client's address: the gateway's statement of it, else the connection's own (a direct client). */
function clientOf(socket: RealtimeSocket): string {
  const stated = socket.handshake.headers[CLIENT_ADDRESS_HEADER];
  const address = typeof stated === 'string' && /^[\w.:/-]{1,64}$/.test(stated) ? stated : undefined;
  return address ?? socket.handshake.address;
}

const REFUSALS: Record<Exclude<AdmissionFact, 'admitted'>, () => HandshakeError> = {
  ipRate: handshakeErrors.tooManyHandshakes,
  userRate: handshakeErrors.tooManyHandshakes,
  revoked: handshakeErrors.invalidToken,
  full: handshakeErrors.tooManySockets,
};

/** Admitted handshakes waiting for their `connection`: the greeting read with the admission, and its undo. */
export interface Admitted {
  /** Stored by the middleware; taken (once) by the connection handler. */
  put(socket: RealtimeSocket, greeting: Greeting, cancelUndo: () => void): void;
  take(socket: RealtimeSocket): Greeting | undefined;
}

export function createAdmitted(): Admitted {
  const waiting = new WeakMap<RealtimeSocket, { greeting: Greeting; cancelUndo: () => void }>();
  return {
    put: (socket, greeting, cancelUndo) => waiting.set(socket, { greeting, cancelUndo }),
    take(socket) {
      const entry = waiting.get(socket);
      waiting.delete(socket);
      entry?.cancelUndo();
      return entry?.greeting;
    },
  };
}

/**
 * Handshake check: the `jwt` cookie (browsers) or `auth.token` (other clients) must verify; then one Redis
 * step counts the handshake per client and per user, checks the token's revocation and the user's socket
 * cap, registers the socket's presence and reads its greeting. The refusal's message and `data.code` reach
 * the client as its `connect_error`.
 */
export function authenticateHandshake(deps: {
  jwtSecret: string;
  presence: PresenceTracker;
  limits: AdmissionLimits;
  admitted: Admitted;
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
    const request = { userId: claims.sub, jti: claims.jti, iat: claims.iat, client: clientOf(socket) };
    let admission: Awaited<ReturnType<PresenceTracker['admit']>>;
    try {
      admission = await deps.presence.admit(request, deps.limits);
    } catch (err) {
      // Fail closed: without the deny-list a revoked token would get in.
      deps.logger.warn({ err }, 'handshake admission failed');
      return next(handshakeErrors.unavailable());
    }
    if (admission.fact !== 'admitted') {
      if (admission.fact !== 'revoked') {
        deps.logger.info({ userId: claims.sub, refused: admission.fact }, 'handshake refused by a limit');
      }
      return next(REFUSALS[admission.fact]());
    }
    // Socket.IO drops a socket whose client left during the middleware, with no disconnect event.
    const undo = () => void deps.presence.disconnected(claims.sub);
    if (socket.conn.readyState !== 'open') {
      undo();
      return next(handshakeErrors.unavailable());
    }
    socket.conn.once('close', undo);
    deps.admitted.put(socket, admission.greeting, () => socket.conn.off('close', undo));
    socket.data = { userId: claims.sub, jti: claims.jti, iat: claims.iat, exp: claims.exp };
    next();
  };
}
