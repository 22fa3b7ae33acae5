import { io, type Socket } from 'socket.io-client';

/** One Socket.IO connection of a user, with whether it is connected and greeted by its node right now. */
export interface BenchSocket {
  socket: Socket;
  /** True between the node's first `getOnlineUsers` (presence recorded) and the next disconnect. */
  isReady(): boolean;
}

export interface MessagePayload {
  _id: string;
  senderId: string;
  receiverId: string;
  message: string;
  createdAt: string;
}

/** A `newMessage` payload with the fields the bench reads, or undefined. */
export function asMessage(value: unknown): MessagePayload | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { _id, senderId, receiverId, message, createdAt } = value as Record<string, unknown>;
  if (
    typeof _id === 'string' &&
    typeof senderId === 'string' &&
    typeof receiverId === 'string' &&
    typeof message === 'string' &&
    typeof createdAt === 'string'
  ) {
    return { _id, senderId, receiverId, message, createdAt };
  }
  return undefined;
}

/**
 * Opens a WebSocket-only Socket.IO connection with the `jwt` cookie (as a browser would send it) and
 * resolves once the node has greeted it, i.e. its presence is recorded. Reconnects by itself.
 */
export function openSocket(url: string, token: string, timeoutMs = 30_000): Promise<BenchSocket> {
  const socket = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: { cookie: `jwt=${token}` },
    forceNew: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 1_000,
    timeout: timeoutMs,
  });
  let ready = false;
  socket.on('getOnlineUsers', () => {
    ready = true;
  });
  socket.on('disconnect', () => {
    ready = false;
  });
  const bench: BenchSocket = { socket, isReady: () => ready };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('socket not greeted in time')), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    };
    socket.once('getOnlineUsers', () => {
      clearTimeout(timer);
      resolve(bench);
    });
    socket.on('connect_error', (error) => {
      // A refusal by the server's middleware is final; transport errors are retried by the client.
      if (!socket.active) fail(error);
    });
  });
}
