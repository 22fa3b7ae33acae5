import { USER_STATUSES } from '@chat/shared/redis';
import type { SetStatusAck } from '@chat/shared/sockets';
import { z } from 'zod';
import { changeStatus, type StatusDeps } from '../../domain/status.js';
import { ackErrors } from '../../errors.js';
import type { RealtimeSocket } from './io.server.js';

const statusInput = z.enum(USER_STATUSES);

type Reply<T> = (result: T) => void;

// A client that emits `event(ack)` still gets its answer; a throwing client callback is its problem.
export function replyOf<T>(raw: unknown, ack: unknown): Reply<T> {
  const callback = typeof ack === 'function' ? ack : typeof raw === 'function' ? raw : undefined;
  return (result) => {
    try {
      callback?.(result);
    } catch {
      // ignored: nothing to do about a client-side callback failing
    }
  };
}

/** `setStatus(status, ack)`: validated, stored, broadcast; answered through the ack, never thrown. */
export function handleSetStatus(socket: RealtimeSocket, deps: StatusDeps): void {
  socket.on('setStatus', (raw: unknown, ack: unknown) => {
    const reply = replyOf<SetStatusAck>(raw, ack);
    const parsed = statusInput.safeParse(raw);
    if (!parsed.success) return reply(ackErrors.invalidStatus());
    const status = parsed.data;
    changeStatus(deps, socket.data.userId, status).then(
      () => reply({ ok: true, status }),
      (err: unknown) => {
        deps.logger.error({ err, userId: socket.data.userId }, 'setStatus failed');
        reply(ackErrors.unavailable());
      },
    );
  });
}
