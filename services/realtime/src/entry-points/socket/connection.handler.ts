import type { Logger } from '@chat/shared/logger';
import type { RelationsStore } from '../../data-access/relations.store.js';
import type { UserSeqStore } from '../../data-access/user-seq.store.js';
import { type Greeting, greetingStatuses } from '../../domain/admission.js';
import type { PresenceTracker } from '../../domain/presence.js';
import type { RevocationMemory } from '../../domain/revocation-memory.js';
import type { StatusDeps, StatusLimit } from '../../domain/status.js';
import type { RealtimeMetrics } from '../../metrics.js';
import type { Admitted } from './auth.middleware.js';
import type { RealtimeSocket } from './io.server.js';
import { limitEventRate } from './rate-limit.middleware.js';
import { jtiRoom, userRoom } from './rooms.js';
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
  admitted: Admitted;
  revocations: RevocationMemory;
  statusLimit: StatusLimit;
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

/** The new socket's starting picture, read with its admission: who is online, its own status, the Busy ones. */
function greet(socket: RealtimeSocket, greeting: Greeting): void {
  socket.emit('getOnlineUsers', greeting.online);
  const { own, others } = greetingStatuses(socket.data.userId, greeting);
  socket.emit('userStatus', own);
  for (const change of others) socket.emit('userStatus', change);
}

/** An authenticated socket: rooms, presence, handlers, expiry. Nothing here throws into Socket.IO. */
export function handleConnection(socket: RealtimeSocket, deps: ConnectionDeps): void {
  const { userId, jti, iat, exp } = socket.data;
  const greeting = deps.admitted.take(socket);
  void socket.join([userRoom(userId), jtiRoom(jti)]);
  deps.metrics.connectedSockets.inc();
  limitEventRate(socket, { perSecond: deps.eventsPerSecond, logger: deps.logger });
  handleSetStatus(socket, deps.status, deps.statusLimit);
  handleTyping(socket, { relations: deps.relations, logger: deps.logger });
  handleSync(socket, { seqs: deps.seqs, logger: deps.logger });
  const cancelExpiry = disconnectAtExpiry(socket, exp);
  socket.on('disconnect', () => {
    cancelExpiry();
    deps.metrics.connectedSockets.dec();
    void deps.presence.disconnected(userId);
  });
  // A revocation announced after the admission's check and before the rooms were joined reached no socket.
  if (!greeting || deps.revocations.covers({ sub: userId, jti, iat })) {
    socket.disconnect(true);
    return;
  }
  greet(socket, greeting);
}
