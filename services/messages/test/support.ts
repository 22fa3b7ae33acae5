import { messageReply } from '@chat/shared/api';
import { loadConfig } from '@chat/shared/config';
import { newEventEnvelope, type UserRegisteredEvent, userRegisteredEvent } from '@chat/shared/events';
import { createLogger } from '@chat/shared/logger';
import {
  bearerFor,
  newObjectId,
  publishRaw,
  TEST_SECRETS,
  testEnv,
  uniqueName,
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
  /** Close the app, the test's Mongo client and delete the test's queues. */
  close(): Promise<void>;
}

/** The messages app on port 0 with its own database and `user.registered` queue. */
export async function startTestApp(
  opts: { amqpUrl?: string; dbName?: string; overrides?: AppOverrides } = {},
): Promise<TestApp> {
  const env = testEnv();
  const dbName = opts.dbName ?? uniqueName('test-messages');
  const queue = uniqueName('test-messages.user-registered');
  const blockQueues = {
    userBlocked: uniqueName('test-messages.user-blocked'),
    userUnblocked: uniqueName('test-messages.user-unblocked'),
  };
  const config = loadConfig(configSchema, {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    MONGO_URL: env.mongoUrl,
    MONGO_DB: dbName,
    AMQP_URL: opts.amqpUrl ?? env.amqpUrl,
    INTERNAL_TOKEN_SECRET: TEST_SECRETS.internal,
  });
  const logger = createLogger({ service: 'messages-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = createApp(config, {
    logger,
    ...opts.overrides,
    queues: { userRegistered: queue, ...blockQueues },
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
    async close() {
      await app.stop();
      await client.close();
      const queues = [queue, blockQueues.userBlocked, blockQueues.userUnblocked];
      await deleteQueues(
        env.amqpUrl,
        queues.flatMap((q) => [q, `${q}.dlq`]),
      );
    },
  };
}

/** A `user.registered` fixture, validated by the shared schema. */
export function userRegisteredFixture(): UserRegisteredEvent {
  const username = uniqueName('user').replaceAll('-', '_');
  return userRegisteredEvent.parse({
    ...newEventEnvelope(),
    user: {
      _id: newObjectId(),
      fullName: `Test ${username}`,
      username,
      gender: 'male',
      profilePic: `/avatars/${username}.svg`,
      createdAt: new Date().toISOString(),
    },
  });
}

/** Register `count` users through the real broker and wait until the app knows them; returns their ids. */
export async function registerUsers(t: TestApp, count: number): Promise<string[]> {
  const events = Array.from({ length: count }, () => userRegisteredFixture());
  for (const event of events) await publishRaw(testEnv().amqpUrl, 'user.registered', event);
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
