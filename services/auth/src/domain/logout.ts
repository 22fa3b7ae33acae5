import type { Caller } from '@chat/shared/auth';

export interface LogoutDeps {
  revoke: (claims: { jti: string; exp: number }) => Promise<void>;
}

/** Revokes the caller's token until it would have expired anyway; every gateway and node then refuses it. */
export async function logout(caller: Caller, deps: LogoutDeps): Promise<void> {
  await deps.revoke({ jti: caller.jti, exp: caller.tokenExp });
}
