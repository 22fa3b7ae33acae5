/** Topic exchange every domain event is published on. */
export const EXCHANGE = 'chat.events';
/** Topic exchange receiving the dead letters of every consumer queue. */
export const DEAD_LETTER_EXCHANGE = 'chat.dlx';

export const ROUTING_KEYS = {
  userRegistered: 'user.registered',
  messageCreated: 'message.created',
  messageUpdated: 'message.updated',
  messageDeleted: 'message.deleted',
  conversationRead: 'conversation.read',
  userBlocked: 'user.blocked',
  userUnblocked: 'user.unblocked',
} as const;

/** Consumer queue names: `<consuming service>.<event>`; each has a `<name>.dlq` companion. */
export const QUEUES = {
  usersUserRegistered: 'users.user-registered',
  messagesUserRegistered: 'messages.user-registered',
  realtimeMessageCreated: 'realtime.message-created',
  messagesUserBlocked: 'messages.user-blocked',
  messagesUserUnblocked: 'messages.user-unblocked',
  realtimeMessageUpdated: 'realtime.message-updated',
  realtimeMessageDeleted: 'realtime.message-deleted',
  realtimeConversationRead: 'realtime.conversation-read',
  realtimeUserBlocked: 'realtime.user-blocked',
  realtimeUserUnblocked: 'realtime.user-unblocked',
} as const;

/**
 * `message.created` carries its recipient's bucket (0…DELIVERY_BUCKETS-1) in this header, so its consumers can
 * split the stream over several queues by recipient (one recipient's events always in the same queue) with
 * plain headers bindings. The bucket count is fixed; a queue count dividing it spreads buckets evenly.
 */
export const DELIVERY_BUCKETS = 64;
export const RECIPIENT_BUCKET_HEADER = 'recipient-bucket';
/** The most queues one event can be split over (each gets at least one bucket). */
export const MAX_DELIVERY_QUEUES = 32;

/** FNV-1a of the recipient id, reduced to a bucket: cheap, stable across processes and versions. */
export function recipientBucketOf(recipientId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < recipientId.length; i++) {
    hash ^= recipientId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % DELIVERY_BUCKETS;
}

/** The queue that holds shard `index` of `queue` (`realtime.message-created.3`). */
export function shardQueueOf(queue: string, index: number): string {
  return `${queue}.${index}`;
}

/** Exchange and queue names of one deployment: a namespace keeps stacks that share a broker apart. */
export interface BrokerNames {
  exchange: string;
  deadLetterExchange: string;
  queue(name: string): string;
}

/** The names under `namespace` (`''`, the default, gives the plain names above). */
export function brokerNames(namespace = ''): BrokerNames {
  const prefix = namespace ? `${namespace}.` : '';
  return {
    exchange: `${prefix}${EXCHANGE}`,
    deadLetterExchange: `${prefix}${DEAD_LETTER_EXCHANGE}`,
    queue: (name) => `${prefix}${name}`,
  };
}

/** Name of the dead-letter queue that holds the dead letters of `queue`. */
export function deadLetterQueueOf(queue: string): string {
  return `${queue}.dlq`;
}
