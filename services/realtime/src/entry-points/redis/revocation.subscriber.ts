import type { Logger } from '@chat/shared/logger';
import { prefixed, type Redis, redisKeys } from '@chat/shared/redis';

export interface RevocationSubscriber {
  stop(): Promise<void>;
}

/**
 * Listens on `chat:revocations` (published by auth at logout) on a dedicated subscriber connection and
 * hands each revoked jti to `onRevoked`. Resolves once subscribed, so no revocation after start is missed.
 */
export async function startRevocationSubscriber(
  subscriber: Redis,
  opts: { onRevoked: (jti: string) => void; logger: Logger },
): Promise<RevocationSubscriber> {
  const channel = prefixed(subscriber, redisKeys.revocationsChannel);
  const onMessage = (from: string, jti: string) => {
    if (from !== channel || jti.length === 0 || jti.length > 200) return;
    try {
      opts.onRevoked(jti);
    } catch (err) {
      opts.logger.error({ err }, 'revocation handling failed');
    }
  };
  subscriber.on('message', onMessage);
  // ioredis re-subscribes by itself after a reconnection.
  await subscriber.subscribe(channel);
  return {
    async stop() {
      subscriber.off('message', onMessage);
      await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
