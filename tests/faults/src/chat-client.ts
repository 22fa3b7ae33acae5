import type {
  ClientToServerEvents,
  LiveMessage,
  MessageDelivery,
  ServerToClientEvents,
  SetStatusAck,
  StatusChange,
} from '@chat/shared/sockets';
import { handshakeOutcome as firstHandshake } from '@chat/shared/testing';
import { io, type Socket } from 'socket.io-client';
import type { User } from './clients.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type EventKind = keyof ServerToClientEvents;

/** One server event as a socket received it, with the key that identifies it (see `eventKey`). */
export interface ReceivedEvent {
  kind: EventKind;
  key: string;
  at: number;
  seq: number;
}

function field(payload: unknown, name: string): string {
  const value = typeof payload === 'object' && payload !== null ? Reflect.get(payload, name) : undefined;
  return typeof value === 'string' || typeof value === 'boolean' ? String(value) : '';
}

/**
 * What identifies one occurrence of an event: the same key twice on one socket is a duplicate. An edit is
 * its message and edit time; a read receipt its conversation, reader and mark.
 */
export function eventKey(kind: EventKind, payload: unknown): string {
  const f = (name: string) => field(payload, name);
  switch (kind) {
    case 'newMessage':
    case 'messageDeleted':
      return f('_id');
    case 'messageUpdated':
      return `${f('_id')}|${f('editedAt')}`;
    case 'messagesRead':
      return `${f('conversationId')}|${f('readerId')}|${f('upTo')}`;
    case 'messageDelivery':
      return `${f('messageId')}|${f('state')}`;
    case 'typing':
      return `${f('from')}|${f('typing')}`;
    default:
      return JSON.stringify(payload) ?? '';
  }
}

/** A frontend's socket with everything it received, stamped with arrival times. */
export interface ChatClient {
  /** Unique per socket, for the checker (`username#n`). */
  key: string;
  user: User;
  socket: ClientSocket;
  /** Live pushes in arrival order; `seq` orders them against `statusLog` (same counter). */
  received: Array<{ message: LiveMessage; at: number; seq: number }>;
  /** Every server event of every kind, in arrival order (same counter). */
  events: ReceivedEvent[];
  /** Every setStatus: the counter value when it was emitted and when its ack arrived. */
  statusLog: Array<{
    status: 'Available' | 'Busy';
    emitSeq: number;
    ackSeq: number;
    ackAt: number;
    ok: boolean;
  }>;
  deliveries: MessageDelivery[];
  statuses: StatusChange[];
  onlineLists: string[][];
  connectedAt: number[];
  disconnectedAt: number[];
  /** The status this client last set (its live pushes are judged against it). */
  status: 'Available' | 'Busy';
  setStatus(status: 'Available' | 'Busy'): Promise<SetStatusAck>;
  close(): void;
}

let sequence = 0;

export interface ConnectOptions {
  origin?: string;
  reconnection?: boolean;
  transports?: Array<'websocket' | 'polling'>;
}

/** Open a socket through the gateway with the user's cookie, as a browser on the gateway's origin would. */
export function openSocket(baseUrl: string, user: User, opts: ConnectOptions = {}): ClientSocket {
  return io(baseUrl, {
    path: '/socket.io',
    forceNew: true,
    transports: opts.transports ?? ['websocket'],
    extraHeaders: { cookie: user.cookie, origin: opts.origin ?? new URL(baseUrl).origin },
    reconnection: opts.reconnection ?? true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 1_000,
    timeout: 5_000,
  });
}

function record(socket: ClientSocket, user: User): ChatClient {
  let seq = 0;
  const client: ChatClient = {
    key: `${user.username}#${++sequence}`,
    user,
    socket,
    received: [],
    events: [],
    statusLog: [],
    deliveries: [],
    statuses: [],
    onlineLists: [],
    connectedAt: [],
    disconnectedAt: [],
    status: 'Available',
    async setStatus(status) {
      const emitSeq = ++seq;
      const ack = await socket.timeout(5_000).emitWithAck('setStatus', status);
      client.statusLog.push({ status, emitSeq, ackSeq: ++seq, ackAt: Date.now(), ok: ack.ok });
      if (ack.ok) client.status = status;
      return ack;
    },
    close: () => socket.disconnect(),
  };
  socket.onAny((kind: EventKind, payload: unknown) => {
    client.events.push({ kind, key: eventKey(kind, payload), at: Date.now(), seq: ++seq });
  });
  socket.on('newMessage', (message) => client.received.push({ message, at: Date.now(), seq: ++seq }));
  socket.on('messageDelivery', (delivery) => client.deliveries.push(delivery));
  socket.on('userStatus', (change) => client.statuses.push(change));
  socket.on('getOnlineUsers', (ids) => client.onlineLists.push(ids));
  socket.on('connect', () => client.connectedAt.push(Date.now()));
  socket.on('disconnect', () => client.disconnectedAt.push(Date.now()));
  return client;
}

/** Resolves once the socket was greeted with an online list holding its own user (presence recorded). */
export function waitForGreeting(client: ChatClient, sinceList = 0, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const seen = () => client.onlineLists.slice(sinceList).some((ids) => ids.includes(client.user._id));
    if (seen()) return resolve();
    const timer = setTimeout(() => {
      client.socket.off('getOnlineUsers', check);
      reject(new Error(`${client.key}: no greeting within ${timeoutMs} ms`));
    }, timeoutMs);
    const check = () => {
      if (!seen()) return;
      clearTimeout(timer);
      client.socket.off('getOnlineUsers', check);
      resolve();
    };
    client.socket.on('getOnlineUsers', check);
  });
}

/** Connect and wait for the greeting, so a message sent from now on is pushed live to this socket. */
export async function connectClient(
  baseUrl: string,
  user: User,
  opts: ConnectOptions = {},
): Promise<ChatClient> {
  const client = record(openSocket(baseUrl, user, opts), user);
  try {
    await waitForGreeting(client);
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}

/** One handshake without reconnection: the refusal message, or undefined if it was accepted. */
export function handshakeOutcome(baseUrl: string, user: User, opts: ConnectOptions = {}) {
  return firstHandshake(openSocket(baseUrl, user, { ...opts, reconnection: false }));
}
