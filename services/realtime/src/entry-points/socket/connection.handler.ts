import { isTokenRevoked } from '@chat/shared/auth';
import type { Logger } from '@chat/shared/logger';
import type { Redis } from '@chat/shared/redis';
import { jtiRoom, type StatusChange, userRoom } from '@chat/shared/sockets';
import type { RelationsStore } from '../../data-access/relations.store.js';
import type { UserSeqStore } from '../../data-access/user-seq.store.js';
import type { PresenceTracker } from '../../domain/presence.js';
import type { StatusDeps } from '../../domain/status.js';
import type { RealtimeMetrics } from '../../metrics.js';
import type { RealtimeSocket } from './io.server.js';
import { limitEventRate } from './rate-limit.middleware.js';
import { handleSetStatus } from './set-status.handler.js';
import { handleSync } from './sync.handler.js';
import { handleTyping } from './typing.handler.js';

// setTimeout fires at once for delays above 2^31-1 ms; longer waits are re-armed in steps.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface ConnectionDeps {
  presence: PresenceTracker;
  status: StatusDeps;
  relations: RelationsStore;
  seqs: UserSeqStore;
  redis: Redis;
  metrics: RealtimeMetrics;
  logger: Logger;
  eventsPerSecond: number;
}

/** Disconnect the socket when its token expires; returns the cancel function. */
function disconnectAtExpiry(socket: RealtimeSocket, expSeconds: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const remaining = expSeconds * 1000 - Date.now();
    if (remaining <= 0) {
      socket.disconnect(true);
      return;
    }
    timer = setTimeout(arm, Math.min(remaining, MAX_TIMEOUT_MS));
  };
  arm();
  return () => clearTimeout(timer);
}

/** The new socket's starting picture: who is online, its own status and the Busy ones among them. */
async function greet(socket: RealtimeSocket, deps: ConnectionDeps, recorded: Promise<void>): Promise<void> {
  const { userId, jti } = socket.data;
  // A revocation published between the handshake check and joining the jti room would have missed it.
  if (await isTokenRevoked(deps.redis, jti)) {
    socket.disconnect(true);
    return;
  }
  await recorded;
  const online = await deps.presence.onlineUsers();
  socket.emit('getOnlineUsers', online);
  const statuses = await deps.status.status.statusOf([...new Set([userId, ...online])]);
  const change = (id: string): StatusChange => {
    const found = statuses.get(id);
    const until = found?.until ?? null;
    return {
      userId: id,
      status: found?.status ?? 'Available',
      statusUntil: until === null ? null : new Date(until).toISOString(),
    };
  };
  socket.emit('userStatus', change(userId));
  for (const [other, found] of statuses) {
    if (other !== userId && found.status === 'Busy') socket.emit('userStatus', change(other));
  }
}

/** An authenticated socket: rooms, presence, handlers, expiry. Nothing here throws into Socket.IO. */
export function handleConnection(socket: RealtimeSocket, deps: ConnectionDeps): void {
  const { userId, jti, exp } = socket.data;
  void socket.join([userRoom(userId), jtiRoom(jti)]);
  deps.metrics.connectedSockets.inc();
  limitEventRate(socket, { perSecond: deps.eventsPerSecond, logger: deps.logger });
  handleSetStatus(socket, deps.status);
  handleTyping(socket, { relations: deps.relations, logger: deps.logger });
  handleSync(socket, { seqs: deps.seqs, logger: deps.logger });
  const cancelExpiry = disconnectAtExpiry(socket, exp);
  const recorded = deps.presence.connected(userId);
  socket.on('disconnect', () => {
    cancelExpiry();
    deps.metrics.connectedSockets.dec();
    void deps.presence.disconnected(userId);
  });
  greet(socket, deps, recorded).catch((err: unknown) => {
    deps.logger.warn({ err, userId }, 'could not send the initial presence to a socket');
  });
}
