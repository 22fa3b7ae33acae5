import net from 'node:net';

export interface Dependency {
  name: string;
  url: string;
  defaultPort: number;
  hint: string;
}

/** Opens (and closes) a TCP connection to the URL's host and port; false when nothing answers in time. */
export function isReachable(url: string, defaultPort: number, timeoutMs = 2_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || defaultPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The Redis and RabbitMQ every part of the chat needs, with the line that tells how to start each. */
export function infrastructure(redisUrl: string, amqpUrl: string): Dependency[] {
  return [
    {
      name: 'Redis',
      url: redisUrl,
      defaultPort: 6379,
      hint: 'start it with `redis-server --daemonize yes` (or `docker run -p 6379:6379 redis`), or set REDIS_URL',
    },
    {
      name: 'RabbitMQ',
      url: amqpUrl,
      defaultPort: 5672,
      hint: 'start it with `rabbitmq-server -detached` (or `docker run -p 5672:5672 rabbitmq`), or set AMQP_URL',
    },
  ];
}

/** Throws one readable line naming the first dependency that does not answer and how to start it. */
export async function assertReachable(deps: Dependency[]): Promise<void> {
  for (const dep of deps) {
    if (!(await isReachable(dep.url, dep.defaultPort))) {
      throw new Error(`${dep.name} is not reachable at ${redact(dep.url)}: ${dep.hint}`);
    }
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
