import { revokedTokens } from '@chat/shared/auth';
import type { Logger } from '@chat/shared/logger';
import type { Redis } from '@chat/shared/redis';
import type { RealtimeServer } from '../socket/io.server.js';
import { type PeriodicTask, startPeriodic } from './periodic.js';

export type RevocationRecheck = PeriodicTask;

/**
 * Every `intervalMs`, checks the tokens of this node's sockets against the deny-list and the users'
 * "signed out everywhere" marks (one MGET per thousand sockets) and disconnects the revoked ones: a
 * revocation whose announcement was lost (a subscriber reconnecting, a partition) closes its sockets anyway.
 */
export function startRevocationRecheck(
  io: RealtimeServer,
  opts: { redis: Redis; intervalMs: number; logger: Logger },
): RevocationRecheck {
  const recheck = async () => {
    const sockets = [...io.of('/').sockets.values()];
    if (sockets.length === 0) return;
    const tokens = sockets.map(({ data }) => ({ sub: data.userId, jti: data.jti, iat: data.iat }));
    const revoked = await revokedTokens(opts.redis, tokens);
    sockets.forEach((socket, i) => {
      if (revoked[i] && socket.connected) socket.disconnect(true);
    });
    const closed = revoked.filter(Boolean).length;
    if (closed > 0) opts.logger.info({ closed }, 'revoked sockets closed by the periodic re-check');
  };
  return startPeriodic(recheck, {
    intervalMs: opts.intervalMs,
    logger: opts.logger,
    failure: 'revocation re-check failed',
  });
}
