import { randomBytes } from 'node:crypto';
import { deleteBrokerNamespace } from '@chat/shared/messaging';
import { deleteKeysUnder, keysUnder } from '@chat/shared/redis';
import { testEnv } from '@chat/shared/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, test } from 'vitest';
import { defaultRedisPrefix, type StackOptions, startStack } from '../src/stack.js';
import { signUp } from './support/browser.js';

const env = testEnv();
const namespace = `test-keys-${randomBytes(4).toString('hex')}`;
const redis = new Redis(env.redisUrl);

afterAll(async () => {
  redis.disconnect();
  await deleteBrokerNamespace(env.amqpUrl, namespace);
});

async function keysOf(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const keys of keysUnder(redis, prefix)) found.push(...keys);
  return found;
}

/** Starts a one-node stack, signs a user up (rate-limit windows, a status: keys of the services' own), stops it. */
async function runAndStop(opts: Pick<StackOptions, 'mongoUrl' | 'databasePrefix'>) {
  const stack = await startStack({
    gatewayPort: 0,
    replicas: { realtime: 1 },
    redisUrl: env.redisUrl,
    amqpUrl: env.amqpUrl,
    env: { AMQP_NAMESPACE: namespace, RATE_LIMIT_NAMESPACE: namespace, LOG_LEVEL: 'warn', BCRYPT_COST: '10' },
    log: () => {},
    ...opts,
  });
  let written: string[] = [];
  try {
    await signUp(stack.url, 'keys');
    written = await keysOf(stack.redisPrefix);
  } finally {
    await stack.stop();
  }
  return { prefix: stack.redisPrefix, written, left: await keysOf(stack.redisPrefix) };
}

describe('a local stack and Redis', () => {
  test('over its own embedded MongoDB, a stopped stack leaves no key under the prefix it chose', async () => {
    const run = await runAndStop({});
    expect(run.prefix).toMatch(/^stack-[0-9a-f]{8}:$/);
    expect(run.written.length).toBeGreaterThan(0);
    expect(run.left).toEqual([]);
  }, 90_000);

  test('over a MONGO_URL, every run on that server and database prefix keeps the same prefix and its keys', async () => {
    const opts = { mongoUrl: env.mongoUrl, databasePrefix: `${namespace}-` };
    expect(defaultRedisPrefix(opts)).toEqual(defaultRedisPrefix({ ...opts }));
    expect(defaultRedisPrefix(opts).prefix).not.toBe(
      defaultRedisPrefix({ ...opts, databasePrefix: `${namespace}-other-` }).prefix,
    );
    const run = await runAndStop(opts);
    try {
      expect(run.prefix).toBe(defaultRedisPrefix(opts).prefix);
      expect(run.written.length).toBeGreaterThan(0);
      // A node takes its own presence with it when it stops; the services' state stays.
      const durable = run.written.filter((key) => key.includes(':ratelimit:'));
      expect(durable.length).toBeGreaterThan(0);
      expect(run.left).toEqual(expect.arrayContaining(durable));
    } finally {
      await deleteKeysUnder(redis, run.prefix);
    }
  }, 90_000);
});
