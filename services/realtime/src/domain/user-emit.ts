import type { ServerToClientEvents } from '@chat/shared/sockets';
import { PLACEHOLDERS } from '../data-access/plan.js';

/** Server events addressed to users (not broadcasts): the ones every emit to a user carries. */
export type UserEvent =
  | 'newMessage'
  | 'messageDelivery'
  | 'messagesRead'
  | 'messageUpdated'
  | 'messageDeleted'
  | 'heldSummary'
  | 'typing';
export type UserEventData<E extends UserEvent> = Parameters<ServerToClientEvents[E]>[0];

export const USER_EVENTS: readonly UserEvent[] = [
  'newMessage',
  'messageDelivery',
  'messagesRead',
  'messageUpdated',
  'messageDeleted',
  'heldSummary',
  'typing',
];

/** State-changing events: recorded in each addressee's sequence (replayed by `sync`). Typing is not. */
const RECORDED: ReadonlySet<UserEvent> = new Set(USER_EVENTS.filter((event) => event !== 'typing'));

/** One emit: `event` with `data` to every socket of each user in `to`, on every node. */
export interface UserEmit<E extends UserEvent = UserEvent> {
  to: string[];
  event: E;
  /** Record it in each addressee's sequence (each gets their own `seq`). */
  record?: true;
  /** Only record it: nobody is to get it live. */
  quiet?: true;
  data: UserEventData<E>;
}

// `data` last: the store scripts find it after the other keys (see user-events.ts).
function envelope(to: string[], event: UserEvent, data: unknown, live = true): string {
  const record = RECORDED.has(event);
  return JSON.stringify({
    to,
    event,
    ...(record ? { record: true } : {}),
    ...(record && !live ? { quiet: true } : {}),
    data,
  });
}

/**
 * The one encoding of an emit to users. Every emit goes out as such an envelope on the user-events
 * channel, published by a store script atomically with the state change it reports.
 */
export function encodeEmit<E extends UserEvent>(to: string[], event: E, data: UserEventData<E>): string {
  return envelope(to, event, data);
}

/**
 * `newMessage` to `receiverId` with the message as the store holds it (filled in by the store); with
 * `live: false` it is only recorded in their sequence.
 */
export function encodeStoredMessageEmit(receiverId: string, opts: { live?: boolean } = {}): string {
  return envelope([receiverId], 'newMessage', PLACEHOLDERS.message, opts.live ?? true);
}

/** `messageDelivery` delivered to the sender of each message released from a hold (filled in by the store). */
export function encodeReleasedNoticeEmit(): string {
  const data = { messageId: PLACEHOLDERS.messageId, state: 'delivered' };
  return envelope([PLACEHOLDERS.sender], 'messageDelivery', data);
}

/** `heldSummary` to `userId`, its data filled in by the store that releases the hold. */
export function encodeHeldSummaryEmit(userId: string): string {
  return envelope([userId], 'heldSummary', PLACEHOLDERS.summary);
}
