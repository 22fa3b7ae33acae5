import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Listens and returns the address (127.0.0.1 shown for wildcard hosts). */
export function listen(server: Server, port: number, host: string): Promise<{ port: number; url: string }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      const urlHost = shown.includes(':') ? `[${shown}]` : shown;
      resolve({ port: address.port, url: `http://${urlHost}:${address.port}` });
    });
  });
}

/** Tracks upgraded (WebSocket) sockets: the HTTP server's own connection tracking no longer covers them. */
export function trackUpgrades(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('upgrade', (_req, socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** Stops accepting, lets in-flight requests finish for `gracePeriodMs`, then cuts whatever is left. */
export function closeServer(server: Server, upgraded: Set<Socket>, gracePeriodMs: number): Promise<void> {
  for (const socket of upgraded) socket.destroy();
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), gracePeriodMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
