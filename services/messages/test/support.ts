import { messageReply } from '@chat/shared/api';
import { loadConfig } from '@chat/shared/config';
import { brokerNames, deadLetterQueueOf, type RoutingKey } from '@chat/shared/events';
import { createLogger } from '@chat/shared/logger';
import { deleteBrokerNamespace } from '@chat/shared/messaging';
import {
  bearerFor,
  collectEvents,
  type EventCollector,
  publishRaw,
  type ServiceTestOptions,
  serviceTestSettings,
  testEnv,
  uniqueName,
  userRegisteredFixture,
  useStarted,
  waitFor,
} from '@chat/shared/testing';
import amqplib from 'amqplib';
import { type Db, MongoClient, ObjectId } from 'mongodb';
import { z } from 'zod';
import { type App, type AppOverrides, createApp } from '../src/app.js';
import { configSchema } from '../src/config.js';

export { messageReply };
export type MessageReply = z.infer<typeof messageReply>;
export const historyReply = z.array(messageReply);

export interface TestApp {
  app: App;
  url: string;
  queue: string;
  /** The app's own user.blocked / user.unblocked queues. */
  blockQueues: { userBlocked: string; userUnblocked: string };
  dbName: string;
  db: Db;
  /** The AMQP namespace the app publishes and consumes in (never the production exchange). */
  namespace: string;
  /** Close the app, the test's Mongo client and delete the test's queues (and its namespace if it made it). */
  close(): Promise<void>;
}

export interface TestAppOptions extends ServiceTestOptions {
  overrides?: AppOverrides;
}

/** The messages app on port 0 with its own database, AMQP namespace and `user.*` queues. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const env = testEnv();
  const dbName = opts.dbName ?? uniqueName('test-messages');
  const namespace = opts.namespace ?? uniqueName('test-messages');
  // Queues of its own even beside another app in the namespace: each app gets every event.
  const queueName = (kind: string) => uniqueName(`test-messages.${kind}`);
  const ownQueues = {
    userRegistered: queueName('user-registered'),
    userBlocked: queueName('user-blocked'),
    userUnblocked: queueName('user-unblocked'),
  };
  const names = brokerNames(namespace);
  const queue = names.queue(ownQueues.userRegistered);
  const blockQueues = {
    userBlocked: names.queue(ownQueues.userBlocked),
    userUnblocked: names.queue(ownQueues.userUnblocked),
  };
  const config = loadConfig(configSchema, serviceTestSettings({ dbName, namespace, amqpUrl: opts.amqpUrl }));
  const logger = createLogger({ service: 'messages-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = createApp(config, {
    logger,
    ...opts.overrides,
    queues: ownQueues,
  });
  const { url } = await app.start();
  const client = await MongoClient.connect(env.mongoUrl);
  return {
    app,
    url,
    queue,
    blockQueues,
    dbName,
    db: client.db(dbName),
    namespace,
    async close() {
      await app.stop();
      await client.close();
      const queues = [queue, blockQueues.userBlocked, blockQueues.userUnblocked];
      await deleteQueues(
        env.amqpUrl,
        queues.flatMap((q) => [q, deadLetterQueueOf(q)]),
      );
      if (!opts.namespace) await deleteBrokerNamespace(env.amqpUrl, namespace);
    },
  };
}

/** A messages app around the tests of the calling file. */
export function useTestApp(opts: TestAppOptions = {}): TestApp {
  return useStarted(
    'the messages app',
    () => startTestApp(opts),
    (t) => t.close(),
  );
}

/** A collector of the `routingKey` events `t` publishes, around the tests of the calling file. */
export function useEvents<K extends RoutingKey>(t: TestApp, routingKey: K): EventCollector<K> {
  return useStarted(
    `the ${routingKey} collector`,
    () => collectEvents(testEnv().amqpUrl, routingKey, { namespace: t.namespace }),
    (collector) => collector.close(),
  );
}

/** Register `count` users through the real broker and wait until the app knows them; returns their ids. */
export async function registerUsers(t: TestApp, count: number): Promise<string[]> {
  const events = Array.from({ length: count }, () => userRegisteredFixture({ gender: 'male' }));
  for (const event of events) {
    await publishRaw(testEnv().amqpUrl, 'user.registered', event, { namespace: t.namespace });
  }
  const ids = events.map((e) => new ObjectId(e.user._id));
  await waitFor(
    async () => (await t.db.collection('knownUsers').countDocuments({ _id: { $in: ids } })) === count,
    {
      message: 'the consumer did not store the registered users',
    },
  );
  return events.map((e) => e.user._id);
}

/** POST /api/messages/send/:to as `from`. `body` is sent as given (JSON), so tests can send anything. */
export function send(
  t: TestApp,
  from: string,
  to: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${t.url}/api/messages/send/${to}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-internal-token': bearerFor(from).internalToken,
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Send and expect 201; returns the parsed reply. */
export async function sendOk(
  t: TestApp,
  from: string,
  to: string,
  text: string,
  headers?: Record<string, string>,
) {
  const res = await send(t, from, to, { message: text }, headers);
  if (res.status !== 201) throw new Error(`send answered ${res.status}: ${await res.text()}`);
  return messageReply.parse(await res.json());
}

/** GET /api/messages/:other as `caller`. */
export function history(t: TestApp, caller: string, other: string, query = ''): Promise<Response> {
  return fetch(`${t.url}/api/messages/${other}${query}`, {
    headers: { 'x-internal-token': bearerFor(caller).internalToken },
  });
}

export async function historyOk(
  t: TestApp,
  caller: string,
  other: string,
  query = '',
): Promise<MessageReply[]> {
  const res = await history(t, caller, other, query);
  if (res.status !== 200) throw new Error(`history answered ${res.status}: ${await res.text()}`);
  return historyReply.parse(await res.json());
}

/** Messages stored with `senderId`, straight from the database. */
export function countSentBy(t: TestApp, senderId: string): Promise<number> {
  return t.db.collection('messages').countDocuments({ senderId: new ObjectId(senderId) });
}

/** Delete a test's own queues so they don't collect events forever. */
export async function deleteQueues(amqpUrl: string, queues: string[]): Promise<void> {
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
  } finally {
    await connection.close();
  }
}
