import net from 'node:net';

/** A TCP forwarder between the stack and one shared server, so faults hit this stack only. */
export interface FaultProxy {
  readonly port: number;
  /** `url` (e.g. `redis://127.0.0.1:6379`) with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  /** Reset every open connection and refuse (reset) new ones until `restore()`. */
  cut(): void;
  restore(): void;
  /** Hold every forwarded chunk for `ms` (0 = no delay). */
  delay(ms: number): void;
  readonly isCut: boolean;
  /** Connections accepted so far (to see that clients came back after a cut). */
  readonly accepted: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:0 and forwards to `target`. The listener stays open during a cut (new connections
 * are reset at once), so no other process can take the port between cut and restore.
 */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>();
  let cut = false;
  let delayMs = 0;
  let accepted = 0;

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
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy has no port');
  const port = address.port;

  return {
    port,
    urlFor(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString().replace(/\/$/, '');
    },
    cut() {
      cut = true;
      for (const socket of sockets) socket.resetAndDestroy();
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
