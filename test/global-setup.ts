import type { TestProject } from 'vitest/node';
import { assertReachable, infrastructure } from '../tools/stack/src/reachability.js';

/**
 * Runs once before any worker starts: stops the run at once if Redis or RabbitMQ is missing, and picks the
 * MongoDB endpoint (MONGO_URL, or the embedded server). Tests read the endpoints with `inject`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  try {
    await assertReachable(infrastructure(redisUrl, amqpUrl));
  } catch (error) {
    // One clear line instead of a wall of connection timeouts from every test file.
    console.error((error as Error).message);
    process.exit(1);
  }

  let mongoUrl = process.env.MONGO_URL;
  let stopMongo: (() => Promise<void>) | undefined;
  if (!mongoUrl) {
    const { startEmbeddedMongo } = await import('@chat/embedded-mongo');
    const mongo = await startEmbeddedMongo();
    mongoUrl = mongo.uri;
    stopMongo = mongo.stop;
  }
  project.provide('mongoUrl', mongoUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('amqpUrl', amqpUrl);

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
