import { randomUUID } from 'node:crypto';
import type { Logger } from '@chat/shared/logger';
import { prefixed, type Redis } from '@chat/shared/redis';
import { z } from 'zod';
import { USER_EVENTS_CHANNEL } from '../../data-access/user-events.js';
import { USER_EVENTS, type UserEvent } from '../../domain/user-emit.js';
import type { RealtimeServer } from '../socket/io.server.js';
import { userRoom } from '../socket/rooms.js';

export interface UserEventsSubscriber {
  /** Resolves once this node has relayed every emit published before the call (gives up after 2 s). */
  relayed(): Promise<void>;
  stop(): Promise<void>;
}

const RELAY_WAIT_MS = 2_000;
const BARRIER_PREFIX = 'barrier:';

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
  opts: { io: RealtimeServer; publisher: Redis; logger: Logger },
): Promise<UserEventsSubscriber> {
  // A barrier is a marker published on the channel: the channel is ordered, so once it comes back here
  // everything published before it has been relayed.
  const barriers = new Map<string, () => void>();
  const channel = prefixed(subscriber, USER_EVENTS_CHANNEL);
  const onMessage = (from: string, payload: string) => {
    if (from !== channel) return;
    if (payload.startsWith(BARRIER_PREFIX)) return barriers.get(payload)?.();
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
  await subscriber.subscribe(channel);
  return {
    async relayed() {
      const barrier = `${BARRIER_PREFIX}${randomUUID()}`;
      let timer: NodeJS.Timeout | undefined;
      const back = new Promise<void>((resolve) => {
        barriers.set(barrier, resolve);
        timer = setTimeout(resolve, RELAY_WAIT_MS);
      });
      try {
        await opts.publisher.publish(prefixed(opts.publisher, USER_EVENTS_CHANNEL), barrier);
        await back;
      } finally {
        clearTimeout(timer);
        barriers.delete(barrier);
      }
    },
    async stop() {
      subscriber.off('message', onMessage);
      await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
