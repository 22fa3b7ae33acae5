import { parseRevocation, type Revocation } from '@chat/shared/auth';
import type { Logger } from '@chat/shared/logger';
import { prefixed, type Redis, redisKeys } from '@chat/shared/redis';

export interface RevocationSubscriber {
  stop(): Promise<void>;
}

/**
 * Listens on `chat:revocations` (published by auth at logout and "sign out everywhere") on a dedicated
 * subscriber connection and hands each revocation (a jti, or a user's tokens up to a time) to `onRevoked`.
 * Resolves once subscribed, so no revocation after start is missed.
 */
export async function startRevocationSubscriber(
  subscriber: Redis,
  opts: { onRevoked: (revocation: Revocation) => void; logger: Logger },
): Promise<RevocationSubscriber> {
  const channel = prefixed(subscriber, redisKeys.revocationsChannel);
  const onMessage = (from: string, message: string) => {
    if (from !== channel) return;
    const revocation = parseRevocation(message);
    if (!revocation) return;
    try {
      opts.onRevoked(revocation);
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
