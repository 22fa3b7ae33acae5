import type {
  ClientToServerEvents,
  LiveMessage,
  MessageDelivery,
  PresenceChange,
  ServerToClientEvents,
  SetStatusAck,
  StatusChange,
  TypingAck,
} from '@chat/shared/sockets';
import { waitFor } from '@chat/shared/testing';
import { io, type Socket } from 'socket.io-client';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ConnectOptions {
  token?: string;
  cookie?: string;
  origin?: string;
  /** `Authorization: Bearer` header (how non-browser clients pass the token through the gateway). */
  bearer?: string;
  /** `?token=` query parameter: a form the server refuses (tokens stay out of URLs and their logs). */
  queryToken?: string;
}

/** A connected client socket that records every server event it receives, in order. */
export interface TestClient {
  socket: TestSocket;
  received: Array<{ event: string; args: unknown[] }>;
  messages(): LiveMessage[];
  deliveries(): MessageDelivery[];
  presence(userId: string): boolean[];
  statuses(userId: string): StatusChange['status'][];
  onlineLists(): string[][];
  disconnectReason(): Promise<string>;
  setStatus(status: unknown): Promise<SetStatusAck>;
  /** The first argument of every `event` received, in order. */
  events<T>(event: keyof ServerToClientEvents): T[];
  typing(input: unknown): Promise<TypingAck>;
}

/** The payload without its `seq` (checked by the sequence tests, noise elsewhere). */
export function withoutSeq(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('seq' in value)) return value;
  const { seq: _seq, ...rest } = value as Record<string, unknown>;
  return rest;
}

function argsOf<T>(client: TestClient, event: string): T[] {
  return client.received.filter((r) => r.event === event).map((r) => withoutSeq(r.args[0]) as T);
}

function openSocket(url: string, opts: ConnectOptions): TestSocket {
  const extraHeaders: Record<string, string> = {};
  if (opts.cookie) extraHeaders.cookie = opts.cookie;
  if (opts.origin) extraHeaders.origin = opts.origin;
  if (opts.bearer) extraHeaders.authorization = `Bearer ${opts.bearer}`;
  return io(url, {
    ...(opts.queryToken ? { query: { token: opts.queryToken } } : {}),
    path: '/socket.io',
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: opts.token ? { token: opts.token } : {},
    extraHeaders,
  });
}

/** Opens sockets and closes all of them at the end of the file. */
export function createClientPool() {
  const sockets = new Set<TestSocket>();
  return {
    async connect(url: string, opts: ConnectOptions): Promise<TestClient> {
      const socket = openSocket(url, opts);
      sockets.add(socket);
      const received: TestClient['received'] = [];
      socket.onAny((event: string, ...args: unknown[]) => received.push({ event, args }));
      const reason = new Promise<string>((resolve) => socket.on('disconnect', (why) => resolve(why)));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (err) => reject(err));
      });
      const client: TestClient = {
        socket,
        received,
        messages: () => argsOf<LiveMessage>(client, 'newMessage'),
        deliveries: () => argsOf<MessageDelivery>(client, 'messageDelivery'),
        presence: (userId) =>
          argsOf<PresenceChange>(client, 'presence')
            .filter((p) => p.userId === userId)
            .map((p) => p.online),
        statuses: (userId) =>
          argsOf<StatusChange>(client, 'userStatus')
            .filter((s) => s.userId === userId)
            .map((s) => s.status),
        onlineLists: () => argsOf<string[]>(client, 'getOnlineUsers'),
        disconnectReason: () => reason,
        setStatus: (status) => socket.timeout(5_000).emitWithAck('setStatus', status as 'Available' | 'Busy'),
        events: <T>(event: keyof ServerToClientEvents) => argsOf<T>(client, event),
        typing: (input) =>
          socket.timeout(5_000).emitWithAck('typing', input as { to: string; typing: boolean }),
      };
      return client;
    },
    /** The `connect_error` of a refused handshake (rejects if the socket connects). */
    async refusal(url: string, opts: ConnectOptions): Promise<Error & { data?: { code?: string } }> {
      const socket = openSocket(url, opts);
      sockets.add(socket);
      return new Promise((resolve, reject) => {
        socket.once('connect', () => reject(new Error('the handshake was accepted')));
        socket.once('connect_error', (err) => resolve(err));
      });
    },
    closeAll(): void {
      for (const socket of sockets) socket.close();
      sockets.clear();
    },
  };
}

/** Resolves once `client` has received `count` events of the kind `pick` extracts. */
export async function waitForCount<T>(
  pick: () => T[],
  count: number,
  message: string,
  timeoutMs = 5_000,
): Promise<T[]> {
  const items = await waitFor(
    () => {
      const current = pick();
      return current.length >= count ? current : false;
    },
    { timeoutMs, message },
  );
  if (!items) throw new Error(message);
  return items;
}
