import net from 'node:net';
import type { TestProject } from 'vitest/node';

/**
 * Runs once before any worker starts: checks that Redis and RabbitMQ answer and picks the MongoDB
 * endpoint (MONGO_URL, or the embedded server). Workers inherit the resulting environment.
 */
interface Endpoint {
  name: string;
  url: string;
  hint: string;
}

function probe(url: string, defaultPort: number, timeoutMs = 2_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || defaultPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
  process.env.AMQP_URL ??= 'amqp://guest:guest@127.0.0.1:5672';
  const endpoints: Array<Endpoint & { port: number }> = [
    {
      name: 'Redis',
      url: process.env.REDIS_URL,
      port: 6379,
      hint: 'start it with `redis-server --daemonize yes` or set REDIS_URL',
    },
    {
      name: 'RabbitMQ',
      url: process.env.AMQP_URL,
      port: 5672,
      hint: 'start it with `rabbitmq-server -detached` or set AMQP_URL',
    },
  ];
  for (const e of endpoints) {
    if (!(await probe(e.url, e.port))) {
      throw new Error(`${e.name} is not reachable at ${e.url}: ${e.hint}`);
    }
  }

  let stopMongo: (() => Promise<void>) | undefined;
  if (!process.env.MONGO_URL) {
    const { startEmbeddedMongo } = await import('@chat/embedded-mongo');
    const mongo = await startEmbeddedMongo();
    process.env.MONGO_URL = mongo.uri;
    stopMongo = mongo.stop;
  }
  project.provide('mongoUrl', process.env.MONGO_URL);
  project.provide('redisUrl', process.env.REDIS_URL);
  project.provide('amqpUrl', process.env.AMQP_URL);

  return async () => {
    await stopMongo?.();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    redisUrl: string;
    amqpUrl: string;
  }
}
