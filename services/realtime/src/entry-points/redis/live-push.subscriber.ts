import { messageCreatedEvent } from '@chat/shared/events';
import type { Logger } from '@chat/shared/logger';
import type { Redis } from '@chat/shared/redis';
import { userRoom } from '@chat/shared/sockets';
import { LIVE_PUSH_CHANNEL } from '../../data-access/held-messages.store.js';
import type { RealtimeServer } from '../socket/io.server.js';

export interface LivePushSubscriber {
  stop(): Promise<void>;
}

/**
 * Relays the live pushes published by the delivery script to this node's own sockets of the recipient
 * (every node gets every push and serves its local sockets). Uses a connection in subscriber mode.
 */
export async function startLivePushSubscriber(
  subscriber: Redis,
  opts: { io: RealtimeServer; logger: Logger },
): Promise<LivePushSubscriber> {
  const onMessage = (channel: string, payload: string) => {
    if (channel !== LIVE_PUSH_CHANNEL) return;
    try {
      const { message } = messageCreatedEvent.parse(JSON.parse(payload));
      opts.io.local.to(userRoom(message.receiverId)).emit('newMessage', message);
    } catch (err) {
      opts.logger.error({ err }, 'unreadable live push dropped');
    }
  };
  subscriber.on('message', onMessage);
  // ioredis re-subscribes by itself after a reconnection.
  await subscriber.subscribe(LIVE_PUSH_CHANNEL);
  return {
    async stop() {
      subscriber.off('message', onMessage);
      await subscriber.unsubscribe(LIVE_PUSH_CHANNEL).catch(() => undefined);
    },
  };
}
