import type { Server as HttpServer } from 'node:http';
import type { Redis } from '@chat/shared/redis';
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from '@chat/shared/sockets';
import { jtiRoom } from '@chat/shared/sockets';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Server, type Socket } from 'socket.io';
import type { Notifier } from '../../domain/notifier.js';

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

export const MAX_PAYLOAD_BYTES = 1e6;

/**
 * Socket.IO on the service's HTTP server, sharing rooms with every node through Redis pub/sub. Browsers
 * must come from an allowed Origin; clients without one (servers, CLIs) are let through to the token check.
 */
export function createIoServer(
  httpServer: HttpServer,
  opts: {
    corsOrigins: readonly string[];
    pub: Redis;
    sub: Redis;
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
    adapter:
      opts.adapter === 'sharded'
        ? createShardedAdapter(opts.pub, opts.sub, { subscriptionMode: 'dynamic' })
        : createAdapter(opts.pub, opts.sub),
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
