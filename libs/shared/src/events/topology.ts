/** Topic exchange every domain event is published on. */
export const EXCHANGE = 'chat.events';
/** Topic exchange receiving the dead letters of every consumer queue. */
export const DEAD_LETTER_EXCHANGE = 'chat.dlx';

export const ROUTING_KEYS = {
  userRegistered: 'user.registered',
  messageCreated: 'message.created',
} as const;

/** Consumer queue names: `<consuming service>.<event>`; each has a `<name>.dlq` companion. */
export const QUEUES = {
  usersUserRegistered: 'users.user-registered',
  messagesUserRegistered: 'messages.user-registered',
  realtimeMessageCreated: 'realtime.message-created',
} as const;

/** Name of the dead-letter queue that holds the dead letters of `queue`. */
export function deadLetterQueueOf(queue: string): string {
  return `${queue}.dlq`;
}
