import { USER_STATUSES } from '@chat/shared/redis';
import type { SetStatusAck } from '@chat/shared/sockets';
import { z } from 'zod';
import {
  MAX_BUSY_UNTIL_MS,
  requestStatusChange,
  type StatusDeps,
  type StatusLimit,
  type StatusRequest,
} from '../../domain/status.js';
import { ackErrors } from '../../errors.js';
import type { RealtimeSocket } from './io.server.js';

// The classic string, or the object form; `until` only with Busy.
const statusInput = z.union([
  z.enum(USER_STATUSES),
  z.strictObject({ status: z.literal('Busy'), until: z.iso.datetime({ offset: true }).optional() }),
  z.strictObject({ status: z.literal('Available') }),
]);

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

/** The request, or the refusal: `until` must be in the future and at most 7 days ahead. */
function requestOf(input: z.output<typeof statusInput>, now: number): StatusRequest | SetStatusAck {
  if (typeof input === 'string') return { status: input, until: null };
  if (input.status === 'Available' || input.until === undefined) return { status: input.status, until: null };
  const until = Date.parse(input.until);
  if (until <= now || until > now + MAX_BUSY_UNTIL_MS) return ackErrors.invalidUntil();
  return { status: 'Busy', until };
}

/**
 * `setStatus(status | {status, until}, ack)`: validated, limited per user, stored, broadcast (unless it
 * sets what the user already has); answered through the ack, never thrown. The classic string form gets the classic ack; the object form also gets `statusUntil`.
 */
export function handleSetStatus(socket: RealtimeSocket, deps: StatusDeps, limit: StatusLimit): void {
  socket.on('setStatus', (raw: unknown, ack: unknown) => {
    const reply = replyOf<SetStatusAck>(raw, ack);
    const parsed = statusInput.safeParse(raw);
    if (!parsed.success) return reply(ackErrors.invalidStatus());
    const request = requestOf(parsed.data, (deps.now ?? Date.now)());
    if ('ok' in request) return reply(request);
    const classic = typeof parsed.data === 'string';
    requestStatusChange(deps, socket.data.userId, request, limit).then(
      (outcome) => {
        if (outcome.kind === 'limited') return reply(ackErrors.statusRateLimited());
        const { status, statusUntil } = outcome.change;
        reply(classic ? { ok: true, status } : { ok: true, status, statusUntil });
      },
      (err: unknown) => {
        deps.logger.error({ err, userId: socket.data.userId }, 'setStatus failed');
        reply(ackErrors.unavailable());
      },
    );
  });
}
