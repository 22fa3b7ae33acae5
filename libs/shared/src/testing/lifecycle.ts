import { afterAll, beforeAll } from 'vitest';
import { testEnv } from './env.js';
import { TEST_SECRETS } from './tokens.js';

/**
 * Starts a value before the tests of the calling file (or describe block) and closes it after them. The
 * stand-in returned reads through to the value, in the hooks registered after this call and in the tests.
 */
export function useStarted<T extends object>(
  what: string,
  start: () => Promise<T>,
  close: (value: T) => Promise<void>,
): T {
  let value: T | undefined;
  beforeAll(async () => {
    value = await start();
  });
  afterAll(async () => {
    if (value) await close(value);
  });
  return new Proxy({} as T, {
    get(_target, key) {
      if (!value) throw new Error(`${what} is used before it started`);
      return Reflect.get(value, key);
    },
  });
}

/** How a test starts a service: a fresh database and AMQP namespace unless told to share another's. */
export interface ServiceTestOptions {
  amqpUrl?: string;
  /** Reuse a database (a replica, a restarted instance); default a fresh one. */
  dbName?: string;
  /** Join this AMQP namespace, which its owner deletes; default a fresh one, deleted when the app closes. */
  namespace?: string;
}

/**
 * The settings of a service on a free loopback port against the test MongoDB (database `dbName`) and
 * RabbitMQ (namespace `namespace`, through `amqpUrl` if given), signing internal tokens with the test secret.
 */
export function serviceTestSettings(opts: {
  dbName: string;
  namespace: string;
  amqpUrl?: string;
}): Record<string, string> {
  const env = testEnv();
  return {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    MONGO_URL: env.mongoUrl,
    MONGO_DB: opts.dbName,
    AMQP_URL: opts.amqpUrl ?? env.amqpUrl,
    AMQP_NAMESPACE: opts.namespace,
    INTERNAL_TOKEN_SECRET: TEST_SECRETS.internal,
  };
}
