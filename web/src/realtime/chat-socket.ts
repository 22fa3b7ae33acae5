import type {
  ClientToServerEvents,
  ServerToClientEvents,
  SetStatusAck,
  SetStatusInput,
  SyncAck,
  SyncInput,
} from '@chat/shared/sockets';
import { io, type Socket } from 'socket.io-client';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SocketHooks {
  /** Every server event, bound once per socket. */
  bind(socket: ChatSocket): void;
  /** The socket is (re)connected; `again` is false for the first connection of this login. */
  connected(again: boolean): void;
  /** The socket dropped and the client keeps trying. */
  lost(): void;
  /** The server closed the socket on purpose (revoked or expired token): no retry. */
  refused(): void;
}

let current: ChatSocket | undefined;

/**
 * Opens the one socket of this tab, through the gateway, authenticated by the `jwt` cookie. `resumed`: this
 * replaces a socket of the same session, so its first connection catches up too.
 */
export function openSocket(hooks: SocketHooks, resumed = false): ChatSocket {
  closeSocket();
  const socket: ChatSocket = io({
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    withCredentials: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 3_000,
  });
  let connectedBefore = resumed;
  hooks.bind(socket);
  socket.on('connect', () => {
    hooks.connected(connectedBefore);
    connectedBefore = true;
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    if (reason === 'io server disconnect') hooks.refused();
    else hooks.lost();
  });
  socket.on('connect_error', () => {
    if (socket.active) hooks.lost();
    else hooks.refused();
  });
  current = socket;
  return socket;
}

export function closeSocket(): void {
  current?.removeAllListeners();
  current?.disconnect();
  current = undefined;
}

export function setStatusOverSocket(status: SetStatusInput): Promise<SetStatusAck> {
  if (!current?.connected) return Promise.reject(new Error('Not connected: try again in a moment.'));
  return current.timeout(5_000).emitWithAck('setStatus', status);
}

/** Asks for the events recorded after `since` (or only the current seq); undefined when not connected. */
export function syncOverSocket(input: SyncInput): Promise<SyncAck> | undefined {
  if (!current?.connected) return undefined;
  return current.timeout(5_000).emitWithAck('sync', input);
}

/** Fire-and-forget typing notice; dropped while disconnected (it expires on the other side anyway). */
export function sendTyping(to: string, typing: boolean): void {
  if (current?.connected) current.emit('typing', { to, typing });
}
