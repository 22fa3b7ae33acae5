import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Stop accepting and drop every open connection: to the app, the broker is gone. */
  cut(): Promise<void>;
  /** Accept again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy to `host:port` that a test can cut and restore, to simulate a broker outage. */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const createServer = () =>
    net.createServer((client) => {
      const upstream = net.connect({ host, port });
      track(client);
      track(upstream);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  const listen = (server: net.Server, onPort: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(onPort, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
  const closeServer = (server: net.Server) =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (server.listening) server.close(() => resolve());
      else resolve();
    });

  let server = createServer();
  const proxyPort = await listen(server, 0);
  let up = true;
  return {
    port: proxyPort,
    async cut() {
      if (!up) return;
      up = false;
      await closeServer(server);
    },
    async restore() {
      if (up) return;
      server = createServer();
      await listen(server, proxyPort);
      up = true;
    },
    async close() {
      up = false;
      await closeServer(server);
    },
  };
}
