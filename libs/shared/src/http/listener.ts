import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
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
  inFlight: Set<ServerResponse>;
  sockets: Set<Socket>;
  /** Sockets taken over by `onUpgrade`: tunnels with no request to finish, cut as soon as close() begins. */
  upgraded: Set<Socket>;
}

function trackIn<T extends ServerResponse | Socket>(set: Set<T>, item: T): void {
  set.add(item);
  item.once('close', () => set.delete(item));
}

function closeServer(server: Server, { inFlight, sockets, upgraded }: Tracked, gracePeriodMs: number) {
  for (const socket of upgraded) socket.destroy();
  if (!server.listening) return Promise.resolve();
  // A keep-alive socket whose last response just ended would hold close() open until its idle timeout.
  const closeWhenIdle = (): void => {
    setImmediate(() => server.closeIdleConnections());
  };
  const onRequestDuringClose = (_req: IncomingMessage, res: ServerResponse): void => {
    res.once('finish', closeWhenIdle);
  };
  for (const res of inFlight) res.once('finish', closeWhenIdle);
  server.on('request', onRequestDuringClose);
  return new Promise<void>((resolve) => {
    // Cut connections still busy after the grace period so close() cannot hang forever; upgraded
    // (WebSocket) sockets are not HTTP connections any more, hence the raw socket list too.
    const timer = setTimeout(() => {
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    }, gracePeriodMs);
    server.close(() => {
      clearTimeout(timer);
      server.off('request', onRequestDuringClose);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** An HTTP server for `app` that logs `<label> listening` once it listens. */
export function createListener(
  app: RequestListener,
  opts: { label: string; logger: Logger; onUpgrade?: UpgradeHandler },
): Listener {
  const server = createServer(app);
  const tracked: Tracked = { inFlight: new Set(), sockets: new Set(), upgraded: new Set() };
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => trackIn(tracked.inFlight, res));
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
