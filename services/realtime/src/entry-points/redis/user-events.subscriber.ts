import type { Logger } from '@chat/shared/logger';
import type { Redis } from '@chat/shared/redis';
import { userRoom } from '@chat/shared/sockets';
import { z } from 'zod';
import { USER_EVENTS_CHANNEL } from '../../data-access/user-events.js';
import { USER_EVENTS, type UserEvent } from '../../domain/user-emit.js';
import type { RealtimeServer } from '../socket/io.server.js';

export interface UserEventsSubscriber {
  stop(): Promise<void>;
}

const envelope = z.object({
  to: z.array(z.string().min(1)).min(1),
  event: z.enum(USER_EVENTS as [UserEvent, ...UserEvent[]]),
  data: z.unknown(),
});

/**
 * Relays every emit to users (published by the store scripts, see user-events.ts) to this node's own
 * sockets of the addressees: every node gets every emit and serves its local sockets, each socket once.
 * Uses a connection in subscriber mode.
 */
export async function startUserEventsSubscriber(
  subscriber: Redis,
  opts: { io: RealtimeServer; logger: Logger },
): Promise<UserEventsSubscriber> {
  const onMessage = (channel: string, payload: string) => {
    if (channel !== USER_EVENTS_CHANNEL) return;
    try {
      const { to, event, data } = envelope.parse(JSON.parse(payload));
      const target = opts.io.local.to(to.map(userRoom));
      // The payloads were built from validated events by this service's own encodeEmit.
      (target.emit as (name: UserEvent, body: unknown) => boolean).call(target, event, data);
    } catch (err) {
      opts.logger.error({ err }, 'unreadable user event dropped');
    }
  };
  subscriber.on('message', onMessage);
  // ioredis re-subscribes by itself after a reconnection.
  await subscriber.subscribe(USER_EVENTS_CHANNEL);
  return {
    async stop() {
      subscriber.off('message', onMessage);
      await subscriber.unsubscribe(USER_EVENTS_CHANNEL).catch(() => undefined);
    },
  };
}
