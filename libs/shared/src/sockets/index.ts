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
  /** When a Busy status ends by itself (ISO), else null. */
  statusUntil: string | null;
}

export interface MessageDelivery {
  messageId: string;
  state: DeliveryState;
}

/** Sent first when a user switches back to Available: what waited for them while Busy. */
export interface HeldSummary {
  /** Messages released now (they follow this event, in creation order). */
  total: number;
  /** Messages that left the full hold (HELD_LIMIT) unreleased; they are in the history. */
  dropped: number;
  /** Released messages per sender. */
  from: Array<{ userId: string; count: number }>;
}

/**
 * A user's event sequence number: opaque, increasing per user, the same on every node. Compare two of
 * the same user with `compareSeq`, never as plain strings.
 */
export type Seq = string;

/** What every event recorded in a user's sequence carries besides its own fields. */
export interface Sequenced {
  seq: Seq;
}

/** Orders two seqs of one user (negative when `a` came first). */
export function compareSeq(a: Seq, b: Seq): number {
  const [am = 0n, as = 0n] = a.split('-').map((part) => BigInt(part));
  const [bm = 0n, bs = 0n] = b.split('-').map((part) => BigInt(part));
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

/** Client → server catch-up: `since` = the last seq seen; omitted or "" asks only for the current seq. */
export interface SyncInput {
  since?: Seq;
}

/** One event recorded after `since`, as it was emitted (its data carries its `seq`). */
export interface SyncedEvent {
  event: SequencedEvent;
  data: unknown;
}

/** Events recorded in a user's sequence (and replayed by `sync`). */
export type SequencedEvent =
  | 'newMessage'
  | 'messageUpdated'
  | 'messageDeleted'
  | 'messagesRead'
  | 'messageDelivery'
  | 'heldSummary';

/**
 * `events`: recorded after `since`, in order; `resync: true` when `since` is older than what is kept
 * (reload from the HTTP API, then continue from `seq`). `seq` is the latest seq either way.
 */
export type SyncAck =
  | { ok: true; seq: Seq; events: SyncedEvent[] }
  | { ok: true; seq: Seq; resync: true }
  | AckError;

/** `setStatus` input: a status, or Busy until a time (in the future, at most 7 days ahead). */
export type SetStatusInput = UserStatus | { status: UserStatus; until?: string };

/** Error codes a realtime acknowledgement can carry. */
export type RealtimeErrorCode =
  | 'REALTIME.INVALID_STATUS'
  | 'REALTIME.INVALID_TYPING'
  | 'REALTIME.INVALID_UNTIL'
  | 'REALTIME.INVALID_SYNC'
  | 'REALTIME.RATE_LIMITED'
  | 'REALTIME.UNAVAILABLE';

export interface AckError {
  ok: false;
  code: RealtimeErrorCode;
  error: string;
}

/** `statusUntil` is present when the input was the object form. */
export type SetStatusAck = { ok: true; status: UserStatus; statusUntil?: string | null } | AckError;

/** `ok: true` also when nothing was forwarded (recipient Busy, offline, blocked or throttled): no leak. */
export type TypingAck = { ok: true } | AckError;

/** Events the server emits to clients. */
export interface ServerToClientEvents {
  /** The message (its classic fields) plus its `seq` in the recipient's sequence. */
  newMessage: (message: LiveMessage & Partial<Sequenced>) => void;
  /** Every online user id (coalesced: at most about one broadcast per 250 ms per node). */
  getOnlineUsers: (userIds: string[]) => void;
  presence: (change: PresenceChange) => void;
  userStatus: (change: StatusChange) => void;
  messageDelivery: (delivery: MessageDelivery & Partial<Sequenced>) => void;
  messagesRead: (read: MessagesRead & Partial<Sequenced>) => void;
  messageUpdated: (message: EditedMessage & Partial<Sequenced>) => void;
  messageDeleted: (deleted: MessageDeleted & Partial<Sequenced>) => void;
  heldSummary: (summary: HeldSummary & Partial<Sequenced>) => void;
  typing: (notice: TypingNotice) => void;
}

/** Events clients emit to the server. Payloads are validated at runtime; the types are the happy path. */
export interface ClientToServerEvents {
  setStatus: (status: SetStatusInput, ack: (result: SetStatusAck) => void) => void;
  sync: (input: SyncInput, ack: (result: SyncAck) => void) => void;
  typing: (input: TypingInput, ack?: (result: TypingAck) => void) => void;
}

/** Node-to-node events (`serverSideEmit`); none are used. */
export type InterServerEvents = Record<never, never>;

/** What the handshake stores on `socket.data`. */
export interface SocketData {
  userId: string;
  jti: string;
  /** Token issue time, seconds since the epoch (a "sign out everywhere" revokes tokens issued up to a time). */
  iat: number;
  /** Token expiry, seconds since the epoch. */
  exp: number;
}
