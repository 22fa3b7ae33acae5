import type {
  ClientToServerEvents,
  EditedMessage,
  LiveMessage,
  MessageDeleted,
  MessageDelivery,
  MessagesRead,
  PresenceChange,
  ServerToClientEvents,
  SetStatusAck,
  StatusChange,
  TypingAck,
  TypingNotice,
} from '@chat/shared/sockets';
import { handshakeOutcome, waitFor } from '@chat/shared/testing';
import { io, type Socket } from 'socket.io-client';
import type { SignedUpUser } from './browser.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A frontend's socket with everything it received recorded, in arrival order. */
export interface ChatSocket {
  socket: ClientSocket;
  user: SignedUpUser;
  newMessages: LiveMessage[];
  deliveries: MessageDelivery[];
  statuses: StatusChange[];
  presence: PresenceChange[];
  onlineLists: string[][];
  reads: MessagesRead[];
  updates: EditedMessage[];
  deletes: MessageDeleted[];
  typings: TypingNotice[];
  /** Times the socket got disconnected (by the server, a dead node…), and connected. */
  disconnects: number;
  connects: number;
  setStatus(status: 'Available' | 'Busy'): Promise<SetStatusAck>;
  /** Emits `typing` with an ack; `payload` may be anything, to test what the server refuses. */
  typing(payload: unknown): Promise<TypingAck>;
  close(): void;
}

export interface ConnectOptions {
  transports?: Array<'websocket' | 'polling'>;
  reconnection?: boolean;
}

function open(gatewayUrl: string, cookie: string, opts: ConnectOptions): ClientSocket {
  return io(gatewayUrl, {
    path: '/socket.io',
    forceNew: true,
    transports: opts.transports ?? ['websocket'],
    // A browser sends its cookie and its page's origin on the handshake.
    extraHeaders: { cookie, origin: new URL(gatewayUrl).origin },
    reconnection: opts.reconnection ?? true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    timeout: 5_000,
  });
}

function record(socket: ClientSocket, user: SignedUpUser): ChatSocket {
  const chat: ChatSocket = {
    socket,
    user,
    newMessages: [],
    deliveries: [],
    statuses: [],
    presence: [],
    onlineLists: [],
    reads: [],
    updates: [],
    deletes: [],
    typings: [],
    disconnects: 0,
    connects: 0,
    setStatus: (status) => socket.timeout(5_000).emitWithAck('setStatus', status),
    // The typed signature only admits valid payloads; the server must cope with any.
    typing: (payload) =>
      socket.timeout(5_000).emitWithAck('typing', payload as { to: string; typing: boolean }),
    close: () => socket.disconnect(),
  };
  socket.on('newMessage', (message) => chat.newMessages.push(message));
  socket.on('messageDelivery', (delivery) => chat.deliveries.push(delivery));
  socket.on('userStatus', (change) => chat.statuses.push(change));
  socket.on('presence', (change) => chat.presence.push(change));
  socket.on('getOnlineUsers', (ids) => chat.onlineLists.push(ids));
  socket.on('messagesRead', (read) => chat.reads.push(read));
  socket.on('messageUpdated', (message) => chat.updates.push(message));
  socket.on('messageDeleted', (deleted) => chat.deletes.push(deleted));
  socket.on('typing', (notice) => chat.typings.push(notice));
  socket.on('connect', () => chat.connects++);
  socket.on('disconnect', () => chat.disconnects++);
  return chat;
}

/** The delivery states the sender was told for `messageId`, in arrival order (`deferred,delivered`). */
export function deliveryOf(chat: ChatSocket, message: { _id: string }): string {
  return chat.deliveries
    .filter((d) => d.messageId === message._id)
    .map((d) => d.state)
    .join(',');
}

/** True once the node has recorded the user online: its greeting lists the user among the online ones. */
export function seesSelfOnline(chat: ChatSocket, sinceList = 0): boolean {
  return chat.onlineLists.slice(sinceList).some((ids) => ids.includes(chat.user._id));
}

/**
 * Connects through the gateway and resolves once the node has greeted the socket (presence recorded, so a
 * message sent from now on is pushed live). Rejects with the handshake's refusal.
 */
export async function connectChat(
  gatewayUrl: string,
  user: SignedUpUser,
  opts: ConnectOptions = {},
): Promise<ChatSocket> {
  const chat = record(open(gatewayUrl, user.cookie, opts), user);
  let refusal: Error | undefined;
  let lastError = 'none';
  // A middleware refusal ends the attempts (socket inactive); transport errors are retried by the client.
  const onError = (err: Error) => {
    lastError = err.message;
    if (!chat.socket.active) refusal = err;
  };
  chat.socket.on('connect_error', onError);
  try {
    await waitFor(
      () => {
        if (refusal) throw new Error(`handshake refused: ${refusal.message}`);
        return seesSelfOnline(chat);
      },
      { timeoutMs: 5_000, message: `${user.username}: no greeting` },
    );
  } catch (err) {
    chat.close();
    const state = `connected: ${chat.connects}, last connect_error: ${lastError}`;
    throw new Error(`${err instanceof Error ? err.message : String(err)} (${state})`, { cause: err });
  } finally {
    chat.socket.off('connect_error', onError);
  }
  return chat;
}

/** Attempts one handshake with no reconnection; resolves with the refusal message, or undefined if accepted. */
export function handshakeRefusal(gatewayUrl: string, user: SignedUpUser): Promise<string | undefined> {
  return handshakeOutcome(open(gatewayUrl, user.cookie, { reconnection: false }));
}
