import net from 'node:net';
import { serveConnection } from './connection.js';
import { CursorStore } from './cursor-store.js';
import { Storage } from './storage.js';

export interface EmbeddedMongoOptions {
  /** TCP port; 0 or undefined picks a free one. */
  port?: number;
  /** Interface to listen on; defaults to 127.0.0.1. */
  host?: string;
}

export interface EmbeddedMongo {
  /** Connection string usable by mongoose and the mongodb driver (direct connection, no discovery). */
  uri: string;
  port: number;
  /** Closes the listener and every client connection; data is discarded. */
  stop(): Promise<void>;
}

/**
 * Starts an in-memory server speaking the MongoDB wire protocol, for tests and local runs only.
 * Production uses a real MongoDB; see the package README for what is and is not supported.
 */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const host = options.host ?? '127.0.0.1';
  const storage = new Storage();
  const cursors = new CursorStore();
  const sockets = new Set<net.Socket>();
  let connectionId = 0;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket, { storage, cursors, connectionId: ++connectionId });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const uriHost = host.includes(':') ? `[${host}]` : host;

  return {
    uri: `mongodb://${uriHost}:${port}/?directConnection=true`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        cursors.clear();
        server.close(() => resolve());
      }),
  };
}
