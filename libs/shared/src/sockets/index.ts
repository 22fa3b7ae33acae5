import type { MessageCreatedEvent, MessageUpdatedEvent } from '../events/index.js';
import type { UserStatus } from '../redis/index.js';

/** The message object pushed with `newMessage`: the `message` of a `message.created` event. */
export type LiveMessage = MessageCreatedEvent['message'];

/** The message pushed with `messageUpdated`: the `message` of a `message.updated` event. */
export type EditedMessage = MessageUpdatedEvent['message'];

export type DeliveryState = 'delivered' | 'deferred';

/** Read receipt: `readerId` read the conversation up to `upTo` (sent to the peer and the reader's sockets). */
export interface MessagesRead {
  conversationId: string;
  readerId: string;
  upTo: string;
  readAt: string;
}

export interface MessageDeleted {
  _id: string;
  conversationId: string;
  deletedAt: string;
}

/** Client → server: I am (or stopped) typing to `to`. */
export interface TypingInput {
  to: string;
  typing: boolean;
}

/** Server → client: `from` is (or stopped) typing to you. Clients expire `typing: true` after 6 s. */
export interface TypingNotice {
  from: string;
  typing: boolean;
}

export interface PresenceChange {
  userId: string;
  online: boolean;
}

export interface StatusChange {
  userId: string;
  status: UserStatus;
}

export interface MessageDelivery {
  messageId: string;
  state: DeliveryState;
}

/** Error codes a realtime acknowledgement can carry. */
export type RealtimeErrorCode =
  | 'REALTIME.INVALID_STATUS'
  | 'REALTIME.INVALID_TYPING'
  | 'REALTIME.RATE_LIMITED'
  | 'REALTIME.UNAVAILABLE';

export interface AckError {
  ok: false;
  code: RealtimeErrorCode;
  error: string;
}

export type SetStatusAck = { ok: true; status: UserStatus } | AckError;

/** `ok: true` also when nothing was forwarded (recipient Busy, offline, blocked or throttled): no leak. */
export type TypingAck = { ok: true } | AckError;

/** Events the server emits to clients. */
export interface ServerToClientEvents {
  newMessage: (message: LiveMessage) => void;
  /** Every online user id (coalesced: at most about one broadcast per 250 ms per node). */
  getOnlineUsers: (userIds: string[]) => void;
  presence: (change: PresenceChange) => void;
  userStatus: (change: StatusChange) => void;
  messageDelivery: (delivery: MessageDelivery) => void;
  messagesRead: (read: MessagesRead) => void;
  messageUpdated: (message: EditedMessage) => void;
  messageDeleted: (deleted: MessageDeleted) => void;
  typing: (notice: TypingNotice) => void;
}

/** Events clients emit to the server. Payloads are validated at runtime; the types are the happy path. */
export interface ClientToServerEvents {
  setStatus: (status: UserStatus, ack: (result: SetStatusAck) => void) => void;
  typing: (input: TypingInput, ack?: (result: TypingAck) => void) => void;
}

/** Node-to-node events (`serverSideEmit`); none are used. */
export type InterServerEvents = Record<never, never>;

/** What the handshake stores on `socket.data`. */
export interface SocketData {
  userId: string;
  jti: string;
  /** Token expiry, seconds since the epoch. */
  exp: number;
}

/** Room holding every socket of a user, on every node. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** Room holding every socket opened with the token `jti`, so logout can disconnect them all. */
export function jtiRoom(jti: string): string {
  return `jti:${jti}`;
}
