import net from 'node:net';

/**
 * A TCP forwarder between the code under test and one real server (a broker, Redis, MongoDB, the gateway),
 * so a test can make that server fail for its own clients only.
 */
export interface TcpProxy {
  readonly port: number;
  /** `url` (e.g. `redis://127.0.0.1:6379`) with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  /** Reset every open connection and refuse (reset) new ones until `restore()`: to its clients, the server is gone. */
  cut(): void;
  restore(): void;
  /** Hold every forwarded chunk for `ms` (0 = no delay). */
  delay(ms: number): void;
  /**
   * Cut (as `cut()`) right after forwarding the next client chunk that `match` accepts, before the server
   * can answer it: the client loses the connection with that request pending.
   */
  cutAfter(match: (chunk: Buffer) => boolean): void;
  readonly isCut: boolean;
  /** Connections accepted so far (to see that clients came back after a cut). */
  readonly accepted: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (a port the OS picks) and forwards to `host:port`. The listener stays open during a
 * cut (new connections are reset at once), so no other process can take the port between cut and restore.
 */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const target = { host, port };
  const sockets = new Set<net.Socket>();
  let cut = false;
  let delayMs = 0;
  let accepted = 0;
  let cutMatch: ((chunk: Buffer) => boolean) | undefined;
  const cutAll = () => {
    cut = true;
    for (const socket of sockets) socket.resetAndDestroy();
  };

  // Delayed chunks keep their order: each direction has one queue, flushed by one timer.
  const forward = (from: net.Socket, to: net.Socket) => {
    const queue: Array<{ due: number; chunk: Buffer }> = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      while (queue[0] && queue[0].due <= Date.now()) {
        const next = queue.shift();
        if (next && !to.destroyed) to.write(next.chunk);
      }
      if (queue[0]) timer = setTimeout(flush, queue[0].due - Date.now());
    };
    from.on('data', (chunk: Buffer) => {
      if (delayMs === 0 && queue.length === 0) {
        to.write(chunk);
        return;
      }
      queue.push({ due: Math.max(Date.now() + delayMs, queue.at(-1)?.due ?? 0), chunk });
      timer ??= setTimeout(flush, delayMs);
    });
    from.on('close', () => clearTimeout(timer));
  };

  const server = net.createServer((client) => {
    if (cut) {
      client.resetAndDestroy();
      return;
    }
    accepted++;
    const upstream = net.connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      socket.on('error', () => undefined);
    }
    forward(client, upstream);
    forward(upstream, client);
    client.on('data', (chunk: Buffer) => {
      if (!cutMatch?.(chunk)) return;
      cutMatch = undefined;
      // After the forwarding listener wrote the chunk upstream; the reply cannot arrive within this turn.
      cutAll();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the TCP proxy has no port');
  const proxyPort = address.port;

  return {
    port: proxyPort,
    urlFor(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(proxyPort);
      return parsed.toString().replace(/\/$/, '');
    },
    cut: cutAll,
    cutAfter(match) {
      cutMatch = match;
    },
    restore() {
      cut = false;
    },
    delay(ms) {
      delayMs = ms;
    },
    get isCut() {
      return cut;
    },
    get accepted() {
      return accepted;
    },
    async close() {
      cut = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
