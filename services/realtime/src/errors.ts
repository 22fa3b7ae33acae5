import { UNAUTHORIZED } from '@chat/shared/auth';
import type { AckError } from '@chat/shared/sockets';

/** Error acknowledgements of socket events: handlers answer with these and never throw. */
export const ackErrors = {
  invalidStatus: (): AckError => ({
    ok: false,
    code: 'REALTIME.INVALID_STATUS',
    error: 'Invalid status: expected "Available", "Busy" or {status: "Busy", until: "<ISO time>"}',
  }),
  invalidUntil: (): AckError => ({
    ok: false,
    code: 'REALTIME.INVALID_UNTIL',
    error: 'Invalid until: expected an ISO time in the future, at most 7 days ahead',
  }),
  invalidSync: (): AckError => ({
    ok: false,
    code: 'REALTIME.INVALID_SYNC',
    error: 'Invalid sync: expected {since: "<seq>"} (omit since, or "", for the current seq)',
  }),
  invalidTyping: (): AckError => ({
    ok: false,
    code: 'REALTIME.INVALID_TYPING',
    error: 'Invalid typing: expected {to: "<another user id>", typing: true|false}',
  }),
  rateLimited: (): AckError => ({
    ok: false,
    code: 'REALTIME.RATE_LIMITED',
    error: 'Too many events, slow down',
  }),
  statusRateLimited: (): AckError => ({
    ok: false,
    code: 'REALTIME.RATE_LIMITED',
    error: 'Too many status changes, retry in a few seconds',
  }),
  unavailable: (): AckError => ({
    ok: false,
    code: 'REALTIME.UNAVAILABLE',
    error: 'Service unavailable, retry',
  }),
} as const;

/** A handshake refusal: the client's `connect_error` carries `message` and `data.code`. */
export class HandshakeError extends Error {
  readonly data: { code: string };
  constructor(code: string, message: string) {
    super(message);
    this.data = { code };
  }
}

export const handshakeErrors = {
  noToken: () => new HandshakeError(UNAUTHORIZED.noToken.code, UNAUTHORIZED.noToken.message),
  invalidToken: () => new HandshakeError(UNAUTHORIZED.invalidToken.code, UNAUTHORIZED.invalidToken.message),
  unavailable: () => new HandshakeError('REALTIME.UNAVAILABLE', 'Service unavailable, retry'),
  draining: () => new HandshakeError('REALTIME.DRAINING', 'Server shutting down, reconnect'),
  tooManySockets: () =>
    new HandshakeError('REALTIME.TOO_MANY_SOCKETS', 'Too many connections for this user, close one first'),
  tooManyHandshakes: () =>
    new HandshakeError('REALTIME.TOO_MANY_HANDSHAKES', 'Too many connection attempts, retry later'),
} as const;
