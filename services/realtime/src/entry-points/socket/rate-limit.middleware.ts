import type { Logger } from '@chat/shared/logger';
import { createTokenBucket } from '../../domain/token-bucket.js';
import { ackErrors } from '../../errors.js';
import type { RealtimeSocket } from './io.server.js';

/**
 * Per-socket event rate limit: a token bucket of `perSecond` events; an event over the limit is dropped
 * (its ack, if any, gets REALTIME.RATE_LIMITED). A second, slower bucket counts the drops: once that one
 * is empty too, the abuse is sustained and the socket is disconnected.
 */
export function limitEventRate(socket: RealtimeSocket, opts: { perSecond: number; logger: Logger }): void {
  const events = createTokenBucket({ capacity: opts.perSecond, perSecond: opts.perSecond });
  const drops = createTokenBucket({ capacity: opts.perSecond * 5, perSecond: opts.perSecond / 2 });
  socket.use((packet, next) => {
    if (events.take()) return next();
    const ack: unknown = packet[packet.length - 1];
    if (typeof ack === 'function') ack(ackErrors.rateLimited());
    if (!drops.take()) {
      opts.logger.warn({ userId: socket.data.userId }, 'socket disconnected for flooding events');
      socket.disconnect(true);
    }
  });
}
