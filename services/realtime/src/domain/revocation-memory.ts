import { isRevokedBy, type RevocableClaims, type Revocation } from '@chat/shared/auth';

export interface RevocationMemory {
  remember(revocation: Revocation): void;
  /** True when a revocation heard in the last `keepMs` covers the token. */
  covers(claims: RevocableClaims): boolean;
}

/**
 * The revocations this node heard recently. A handshake is checked against the deny-list in Redis, but a
 * revocation announced after that check and before the socket joins its rooms reaches no socket; the
 * connection looks here instead of asking Redis again.
 */
export function createRevocationMemory(opts: { keepMs: number; now?: () => number }): RevocationMemory {
  const now = opts.now ?? Date.now;
  const heard: Array<{ at: number; revocation: Revocation }> = [];
  const prune = () => {
    const oldest = now() - opts.keepMs;
    while (heard.length > 0 && (heard[0]?.at ?? 0) < oldest) heard.shift();
  };
  return {
    remember(revocation) {
      prune();
      heard.push({ at: now(), revocation });
    },
    covers(claims) {
      prune();
      return heard.some(({ revocation }) =>
        revocation.kind === 'token'
          ? revocation.jti === claims.jti
          : revocation.userId === claims.sub && isRevokedBy(claims, false, revocation.before),
      );
    },
  };
}
