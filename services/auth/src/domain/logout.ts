import type { Caller } from '@chat/shared/auth';

export interface LogoutDeps {
  revoke: (claims: { jti: string; exp: number }) => Promise<void>;
  /** Revokes every token of the user issued up to now, and announces it. */
  revokeAll: (userId: string) => Promise<void>;
}

/** Revokes the caller's token until it would have expired anyway; every gateway and node then refuses it. */
export async function logout(caller: Caller, deps: LogoutDeps): Promise<void> {
  await deps.revoke({ jti: caller.jti, exp: caller.tokenExp });
}

/**
 * "Sign out everywhere": every token of the caller issued up to now is refused from then on, by every
 * gateway and node, and every socket of theirs is closed. A later login gets a token that works.
 */
export async function logoutEverywhere(caller: Caller, deps: LogoutDeps): Promise<void> {
  await deps.revokeAll(caller.userId);
}
