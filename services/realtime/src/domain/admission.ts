import type { UserStatus } from '@chat/shared/redis';

/**
 * A handshake's admission, decided in one Redis step with the presence registration: per client address
 * and per user handshake counts (fixed windows), the token's revocation (its jti or the user's "signed out
 * everywhere" mark), then the user's sockets on every live node against the cap. Checked in that order; the
 * first that fails is the fact, and only `admitted` registers the socket.
 */
export type AdmissionFact = 'admitted' | 'ipRate' | 'userRate' | 'revoked' | 'full';

export interface AdmissionLimits {
  socketsPerUser: number;
  handshakesPerUser: number;
  handshakesPerIp: number;
  windowMs: number;
  /** Prefix of the handshake buckets (RATE_LIMIT_NAMESPACE). */
  namespace: string;
}

export interface AdmissionRequest {
  userId: string;
  jti: string;
  /** Token issue time (s): revoked when at or before the user's mark. */
  iat: number;
  /** The client's address as the rate limit counts it. */
  client: string;
}

/** What the greeting shows: who is online and the Busy ones among them (with their `until`, ms or null). */
export interface Greeting {
  online: string[];
  busy: Map<string, number | null>;
}

export type Admission =
  | { fact: Exclude<AdmissionFact, 'admitted'> }
  | { fact: 'admitted'; greeting: Greeting };

/** The user's own status and every other Busy user's, as the greeting announces them. */
export function greetingStatuses(userId: string, greeting: Greeting) {
  const change = (id: string, status: UserStatus, until: number | null) => ({
    userId: id,
    status,
    statusUntil: until === null ? null : new Date(until).toISOString(),
  });
  const own = greeting.busy.has(userId)
    ? change(userId, 'Busy', greeting.busy.get(userId) ?? null)
    : change(userId, 'Available', null);
  const others = [...greeting.busy]
    .filter(([id]) => id !== userId)
    .map(([id, until]) => change(id, 'Busy', until));
  return { own, others };
}
