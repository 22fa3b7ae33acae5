import { randomUUID } from 'node:crypto';
import type { Logger } from '@chat/shared/logger';
import { prefixed, type Redis } from '@chat/shared/redis';
import { userEventsChannel } from '../../data-access/user-events.js';
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

const KNOWN_EVENTS: ReadonlySet<string> = new Set(USER_EVENTS);

interface Envelope {
  to: string[];
  event: UserEvent;
  data: unknown;
}

/**
 * The channel carries only what this service's own store scripts publish (encodeEmit's envelopes), so a
 * shape check is enough here: the events were validated where they entered the service.
 */
function readEnvelope(payload: string): Envelope {
  const value: unknown = JSON.parse(payload);
  if (typeof value === 'object' && value !== null && 'to' in value && 'event' in value && 'data' in value) {
    const { to, event, data } = value;
    if (
      Array.isArray(to) &&
      to.length > 0 &&
      to.every((id) => typeof id === 'string' && id !== '') &&
      typeof event === 'string' &&
      KNOWN_EVENTS.has(event)
    ) {
      return { to, event: event as UserEvent, data };
    }
  }
  throw new Error('not a user-event envelope');
}

export async function startUserEventsSubscriber(
  subscriber: Redis,
  opts: { io: RealtimeServer; publisher: Redis; logger: Logger; nodeId: string },
): Promise<UserEventsSubscriber> {
  // A barrier is a marker published on the channel: the channel is ordered, so once it comes back here
  // everything published before it has been relayed.
  const barriers = new Map<string, () => void>();
  const channel = prefixed(subscriber, userEventsChannel(opts.nodeId));
  const onMessage = (from: string, payload: string) => {
    if (from !== channel) return;
    if (payload.startsWith(BARRIER_PREFIX)) return barriers.get(payload)?.();
    try {
      const { to, event, data } = readEnvelope(payload);
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
        await opts.publisher.publish(prefixed(opts.publisher, userEventsChannel(opts.nodeId)), barrier);
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
