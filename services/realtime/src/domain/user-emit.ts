import type { ServerToClientEvents } from '@chat/shared/sockets';
import { PLACEHOLDERS } from '../data-access/plan.js';

/** Server events addressed to users (not broadcasts): the ones every emit to a user carries. */
export type UserEvent =
  | 'newMessage'
  | 'messageDelivery'
  | 'messagesRead'
  | 'messageUpdated'
  | 'messageDeleted'
  | 'typing';
export type UserEventData<E extends UserEvent> = Parameters<ServerToClientEvents[E]>[0];

export const USER_EVENTS: readonly UserEvent[] = [
  'newMessage',
  'messageDelivery',
  'messagesRead',
  'messageUpdated',
  'messageDeleted',
  'typing',
];

/** One emit: `event` with `data` to every socket of each user in `to`, on every node. */
export interface UserEmit<E extends UserEvent = UserEvent> {
  to: string[];
  event: E;
  data: UserEventData<E>;
}

/**
 * The one encoding of an emit to users. Every emit goes out as such an envelope on the user-events
 * channel, published by a store script atomically with the state change it reports.
 */
export function encodeEmit<E extends UserEvent>(to: string[], event: E, data: UserEventData<E>): string {
  return JSON.stringify({ to, event, data } satisfies UserEmit<E>);
}

/** `newMessage` to `receiverId` with the message as the store holds it (filled in by the store). */
export function encodeStoredMessageEmit(receiverId: string): string {
  return JSON.stringify({ to: [receiverId], event: 'newMessage', data: PLACEHOLDERS.message });
}

/** `messageDelivery` delivered to the sender of each message released from a hold (filled in by the store). */
export function encodeReleasedNoticeEmit(): string {
  const data = { messageId: PLACEHOLDERS.messageId, state: 'delivered' };
  return JSON.stringify({ to: [PLACEHOLDERS.sender], event: 'messageDelivery', data });
}
