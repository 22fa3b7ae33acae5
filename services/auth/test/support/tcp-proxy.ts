import net from 'node:net';

/** A TCP forwarder that can be switched off and on, to make a real server "go down" for one client only. */
export interface TcpProxy {
  port: number;
  url(scheme: string, auth: string): string;
  /** Start accepting (again) on the same port. */
  up(): Promise<void>;
  /** Stop accepting and cut every open connection. */
  down(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A proxy to `target`, initially down (nothing listens on its port). */
export async function createTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;

  const handle = (client: net.Socket) => {
    const upstream = net.connect(target);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  };

  const down = async () => {
    const current = server;
    server = undefined;
    for (const s of sockets) s.destroy();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  return {
    port,
    url: (scheme, auth) => `${scheme}://${auth}@127.0.0.1:${port}`,
    async up() {
      if (server) return;
      const next = net.createServer(handle);
      await new Promise<void>((resolve) => next.listen(port, '127.0.0.1', resolve));
      server = next;
    },
    down,
    close: down,
  };
}
