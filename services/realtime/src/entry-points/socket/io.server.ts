import type { Server as HttpServer } from 'node:http';
import type { Redis } from '@chat/shared/redis';
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from '@chat/shared/sockets';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Server, type Socket } from 'socket.io';
import type { Notifier } from '../../domain/notifier.js';
import { jtiRoom, userRoom } from './rooms.js';

export type RealtimeServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type RealtimeSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

/** The largest packet a client may send; every client event is small (a status, a typing notice, a sync). */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/**
 * Socket.IO on the service's HTTP server, sharing rooms with every node through Redis pub/sub. Browsers
 * must come from an allowed Origin; clients without one (servers, CLIs) are let through to the token check.
 */
export function createIoServer(
  httpServer: HttpServer,
  opts: {
    corsOrigins: readonly string[];
    /** Adapter connections without a key prefix: the adapter's channels are named by `channelPrefix`. */
    pub: Redis;
    sub: Redis;
    /** The adapter's channel names start with this (the deployment's REDIS_PREFIX + `socket.io`). */
    channelPrefix: string;
    isDraining: () => boolean;
    /**
     * `classic`: every node receives every broadcast (one channel). `sharded`: Redis 7 sharded pub/sub, one
     * channel per room, so a node receives only the rooms it has sockets in; spreads over a Redis Cluster.
     */
    adapter?: 'classic' | 'sharded';
  },
): RealtimeServer {
  const allowed = new Set(opts.corsOrigins);
  return new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(httpServer, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: MAX_PAYLOAD_BYTES,
    cors: { origin: [...allowed], credentials: true },
    allowRequest: (req, callback) => {
      if (opts.isDraining()) return callback('Server shutting down', false);
      const origin = req.headers.origin;
      callback(null, origin === undefined || allowed.has(origin));
    },
    // Channels under the deployment's REDIS_PREFIX: stacks sharing a Redis never relay each other's emits.
    adapter:
      opts.adapter === 'sharded'
        ? createShardedAdapter(opts.pub, opts.sub, {
            channelPrefix: opts.channelPrefix,
            subscriptionMode: 'dynamic',
          })
        : createAdapter(opts.pub, opts.sub, { key: opts.channelPrefix }),
  });
}

/** The domain's Notifier over Socket.IO rooms; the adapter carries each emit to every node. */
export function createIoNotifier(io: RealtimeServer): Notifier {
  return {
    toAll(event, ...args) {
      io.emit(event, ...args);
    },
  };
}

/** Disconnect every socket opened with `jti`, on every node. */
export function disconnectJti(io: RealtimeServer, jti: string): void {
  io.in(jtiRoom(jti)).disconnectSockets(true);
}

/** Disconnect this node's sockets of `userId` whose token was issued at or before `before` (s). */
export function disconnectUserTokens(io: RealtimeServer, userId: string, before: number): void {
  const nsp = io.of('/');
  for (const id of nsp.adapter.rooms.get(userRoom(userId)) ?? []) {
    const socket = nsp.sockets.get(id);
    if (socket && socket.data.iat <= before) socket.disconnect(true);
  }
}
