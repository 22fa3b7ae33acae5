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
