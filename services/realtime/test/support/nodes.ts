import { randomUUID } from 'node:crypto';
import { signUserToken } from '@chat/shared/auth';
import { loadConfig } from '@chat/shared/config';
import type { EventOf, MessageCreatedEvent, RoutingKey } from '@chat/shared/events';
import { createLogger } from '@chat/shared/logger';
import { type Broker, createBroker, deleteBrokerNamespace } from '@chat/shared/messaging';
import { newObjectId, TEST_SECRETS, testEnv, uniqueName } from '@chat/shared/testing';
import { createApp, type RealtimeApp } from '../../src/app.js';
import { configSchema } from '../../src/config.js';

export const ALLOWED_ORIGIN = 'http://allowed.test';

export interface TestNode {
  app: RealtimeApp;
  url: string;
  nodeId: string;
}

export interface Cluster {
  /** The AMQP namespace of this cluster's exchange and queues. */
  namespace: string;
  nodes: TestNode[];
  /** Start one more node on the cluster's queues (e.g. to stop or kill it in a test). */
  addNode(): Promise<TestNode>;
  publish(event: MessageCreatedEvent): Promise<void>;
  /** Publish any event on the cluster's exchange (validated with its shared schema). */
  publishEvent<K extends RoutingKey>(routingKey: K, event: EventOf<K>): Promise<void>;
  close(): Promise<void>;
}

/** Presence timings shrunk from 30 s / 10 s so lapse tests take about two seconds. */
export const FAST_PRESENCE = {
  PRESENCE_TTL_MS: '1500',
  PRESENCE_REFRESH_MS: '300',
  PRESENCE_SWEEP_MS: '200',
};

/**
 * REDIS_PREFIX of every node this test file starts (and of its own Redis clients): files running side by
 * side, or beside a local stack or a bench, never share keys, channels or the adapter's broadcasts.
 */
export const REDIS_PREFIX = `${uniqueName('test-realtime')}:`;

/** N realtime nodes on one Redis, consuming from an AMQP namespace unique to the calling test file. */
export async function startCluster(size: number, env: Record<string, string> = {}): Promise<Cluster> {
  const { redisUrl, amqpUrl } = testEnv();
  const namespace = uniqueName('test-realtime');
  const logger = createLogger({ service: 'realtime-test', level: 'silent' });
  const started: TestNode[] = [];
  const addNode = async (): Promise<TestNode> => {
    const nodeId = uniqueName('test-node');
    const config = loadConfig(configSchema, {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: redisUrl,
      AMQP_URL: amqpUrl,
      JWT_SECRET: TEST_SECRETS.jwt,
      CORS_ORIGINS: ALLOWED_ORIGIN,
      NODE_ID: nodeId,
      AMQP_NAMESPACE: namespace,
      // Handshake and status buckets of this file alone: every test connects from 127.0.0.1.
      RATE_LIMIT_NAMESPACE: namespace,
      REDIS_PREFIX,
      ...env,
    });
    const app = createApp(config, { logger });
    const { url } = await app.start();
    const node = { app, url, nodeId };
    started.push(node);
    return node;
  };
  const nodes: TestNode[] = [];
  for (let i = 0; i < size; i++) nodes.push(await addNode());
  const broker: Broker = createBroker({ url: amqpUrl, namespace, logger, name: 'realtime-test-publisher' });
  const publisher = broker.publisher();
  return {
    namespace,
    nodes,
    addNode,
    publish: (event) => publisher.publish('message.created', event),
    publishEvent: (routingKey, event) => publisher.publish(routingKey, event),
    async close() {
      await Promise.allSettled(started.map((node) => node.app.stop()));
      await broker.close();
      // Left behind, the queues would collect events forever.
      await deleteBrokerNamespace(amqpUrl, namespace);
    },
  };
}

/** A message.created event from `senderId` to `receiverId`, created `offsetMs` after a fixed base. */
export function messageEvent(senderId: string, receiverId: string, text = 'hello', createdAt = new Date()) {
  const event: MessageCreatedEvent = {
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    message: {
      _id: newObjectId(),
      conversationId: newObjectId(),
      senderId,
      receiverId,
      message: text,
      createdAt: createdAt.toISOString(),
    },
  };
  return event;
}

/** A user token for `userId` (signed with the test secret), with its own jti. */
export function tokenFor(userId: string, now?: Date) {
  return signUserToken(userId, TEST_SECRETS.jwt, now);
}

/** A fresh user id and a user token for it. */
export function newUser(now?: Date) {
  const userId = newObjectId();
  return { userId, ...tokenFor(userId, now) };
}
