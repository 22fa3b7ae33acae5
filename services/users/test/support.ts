import { Writable } from 'node:stream';
import { loadConfig } from '@chat/shared/config';
import { brokerNames, QUEUES } from '@chat/shared/events';
import { createLogger } from '@chat/shared/logger';
import { deleteBrokerNamespace } from '@chat/shared/messaging';
import {
  bearerFor,
  type ServiceTestOptions,
  serviceTestSettings,
  testEnv,
  uniqueName,
} from '@chat/shared/testing';
import amqplib from 'amqplib';
import { type App, createApp } from '../src/app.js';
import { configSchema } from '../src/config.js';

/** REDIS_PREFIX of the users services this test file starts and of its own Redis clients. */
export const REDIS_PREFIX = `${uniqueName('test-users')}:`;

/** Log lines the app wrote, parsed, so tests can wait for "handled" without sleeping. */
export interface CapturedLogs {
  lines: Array<Record<string, unknown>>;
}

export interface TestApp {
  app: App;
  url: string;
  queue: string;
  dbName: string;
  logs: CapturedLogs;
  /** The AMQP namespace the app publishes and consumes in (never the production exchange). */
  namespace: string;
  /** Stop the app and delete its namespace, unless it was given one (whose owner deletes it). */
  close(): Promise<void>;
}

/** The users app on port 0 with its own database, in an AMQP namespace under the default queue names. */
export async function startTestApp(
  opts: ServiceTestOptions & { outboxIntervalMs?: number } = {},
): Promise<TestApp> {
  const env = testEnv();
  const dbName = opts.dbName ?? uniqueName('test-users');
  const namespace = opts.namespace ?? uniqueName('test-users');
  const queue = brokerNames(namespace).queue(QUEUES.usersUserRegistered);
  const logs: CapturedLogs = { lines: [] };
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) logs.lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const config = loadConfig(configSchema, {
    ...serviceTestSettings({ dbName, namespace, amqpUrl: opts.amqpUrl }),
    REDIS_URL: env.redisUrl,
    REDIS_PREFIX,
  });
  const logger = createLogger({ service: 'users-test', level: 'debug', destination });
  const app = createApp(config, {
    logger,
    outbox: { intervalMs: opts.outboxIntervalMs ?? 200, retryBaseMs: 200, maxBackoffMs: 2_000 },
  });
  const { url } = await app.start();
  return {
    app,
    url,
    queue,
    dbName,
    logs,
    namespace,
    async close() {
      await app.stop();
      if (!opts.namespace) await deleteBrokerNamespace(env.amqpUrl, namespace);
    },
  };
}

/** GET `path` as `userId` (with the internal token the gateway would mint). */
export async function getAs(baseUrl: string, path: string, userId?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (userId) headers['x-internal-token'] = bearerFor(userId).internalToken;
  return fetch(`${baseUrl}${path}`, { headers });
}

/** Send `method path` as `userId` (with the internal token the gateway would mint). */
export async function requestAs(
  baseUrl: string,
  method: 'POST' | 'DELETE',
  path: string,
  userId?: string,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (userId) headers['x-internal-token'] = bearerFor(userId).internalToken;
  return fetch(`${baseUrl}${path}`, { method, headers });
}

/** Poll `queue` once; the parsed body of a message, or undefined when empty (the message is acked). */
export async function takeOne(amqpUrl: string, queue: string): Promise<unknown> {
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    const msg = await channel.get(queue, { noAck: true });
    return msg ? (JSON.parse(msg.content.toString('utf8')) as unknown) : undefined;
  } finally {
    await connection.close();
  }
}
