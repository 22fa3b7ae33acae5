import { randomBytes } from 'node:crypto';
import { deleteBrokerNamespace } from '@chat/shared/messaging';
import { testEnv } from '@chat/shared/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, test } from 'vitest';
import { startStack } from '../src/stack.js';
import { signUp } from './support/browser.js';

const env = testEnv();
const namespace = `test-keys-${randomBytes(4).toString('hex')}`;
const redis = new Redis(env.redisUrl);

afterAll(async () => {
  redis.disconnect();
  await deleteBrokerNamespace(env.amqpUrl, namespace);
});

async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

describe('a local stack and Redis', () => {
  test('a stopped stack leaves no key under the prefix it chose for itself', async () => {
    const stack = await startStack({
      gatewayPort: 0,
      replicas: { realtime: 1 },
      mongoUrl: env.mongoUrl,
      redisUrl: env.redisUrl,
      amqpUrl: env.amqpUrl,
      databasePrefix: `${namespace}-`,
      env: {
        AMQP_NAMESPACE: namespace,
        RATE_LIMIT_NAMESPACE: namespace,
        LOG_LEVEL: 'warn',
        BCRYPT_COST: '10',
      },
      log: () => {},
    });
    let stopped = false;
    try {
      expect(stack.redisPrefix).toMatch(/^stack-[0-9a-f]{8}:$/);
      // A signup leaves the services' own keys behind: rate-limit windows, the user's status.
      await signUp(stack.url, 'keys');
      expect((await keysUnder(stack.redisPrefix)).length).toBeGreaterThan(0);
      await stack.stop();
      stopped = true;
      expect(await keysUnder(stack.redisPrefix)).toEqual([]);
    } finally {
      if (!stopped) await stack.stop();
    }
  }, 90_000);
});
