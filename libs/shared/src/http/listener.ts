import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerOptions,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '../logger/index.js';

/** Handles one WebSocket upgrade (a proxy's tunnel, say) on the raw socket. */
export type UpgradeHandler = (req: IncomingMessage, socket: Socket, head: Buffer) => void;

/** One HTTP server, its connections tracked so it can close gracefully. */
export interface Listener {
  server: Server;
  /** Listens and resolves with the address (127.0.0.1 shown for a wildcard host). */
  listen(port: number, host?: string): Promise<{ port: number; url: string }>;
  /** Stops accepting, lets in-flight requests finish for `gracePeriodMs`, then cuts whatever is left. */
  close(gracePeriodMs: number): Promise<void>;
}

interface Tracked {
  sockets: Set<Socket>;
  /** Sockets taken over by `onUpgrade`: tunnels with no request to finish, cut as soon as close() begins. */
  upgraded: Set<Socket>;
}

function trackIn(set: Set<Socket>, socket: Socket): void {
  set.add(socket);
  socket.once('close', () => set.delete(socket));
}

/**
 * While closing, how often keep-alive connections are looked at: one whose response in flight (or a request
 * that came in meanwhile) has ended is closed at the next look, else it would hold close() open until its
 * idle timeout. Looking on a tick costs nothing per request, where a listener on every response did.
 */
const IDLE_CHECK_MS = 20;

function closeServer(server: Server, { sockets, upgraded }: Tracked, gracePeriodMs: number) {
  for (const socket of upgraded) socket.destroy();
  if (!server.listening) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const idleCheck = setInterval(() => server.closeIdleConnections(), IDLE_CHECK_MS);
    // Cut connections still busy after the grace period so close() cannot hang forever; upgraded
    // (WebSocket) sockets are not HTTP connections any more, hence the raw socket list too.
    const timer = setTimeout(() => {
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    }, gracePeriodMs);
    server.close(() => {
      clearInterval(idleCheck);
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** An HTTP server for `app` that logs `<label> listening` once it listens. */
export function createListener(
  app: RequestListener,
  opts: { label: string; logger: Logger; onUpgrade?: UpgradeHandler; serverOptions?: ServerOptions },
): Listener {
  const server = createServer(opts.serverOptions ?? {}, app);
  const tracked: Tracked = { sockets: new Set(), upgraded: new Set() };
  server.on('connection', (socket: Socket) => trackIn(tracked.sockets, socket));
  const { onUpgrade } = opts;
  if (onUpgrade) {
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      trackIn(tracked.upgraded, socket);
      onUpgrade(req, socket, head);
    });
  }
  const listen = (port: number, host?: string): Promise<{ port: number; url: string }> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address() as AddressInfo;
        const shown = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
        const urlHost = shown.includes(':') ? `[${shown}]` : shown;
        opts.logger.info({ port: address.port, host: host ?? '*' }, `${opts.label} listening`);
        resolve({ port: address.port, url: `http://${urlHost}:${address.port}` });
      });
    });
  return { server, listen, close: (gracePeriodMs) => closeServer(server, tracked, gracePeriodMs) };
}
