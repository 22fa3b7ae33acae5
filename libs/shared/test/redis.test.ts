import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createRedis,
  deleteKeysUnder,
  pingRedis,
  type Redis,
  readPresence,
  redisKeys,
  USER_STATUSES,
} from '../src/redis/index.js';
import { newObjectId, testEnv, uniqueName, waitFor } from '../src/testing/index.js';
import { captureLogger } from './http-helpers.js';

const { logger, lines } = captureLogger('redis-test');
let redis: Redis;
const touched: string[] = [];

beforeAll(() => {
  redis = createRedis(testEnv().redisUrl, { logger, name: 'redis-test' });
});

afterAll(async () => {
  if (touched.length > 0) {
    await redis.zrem(redisKeys.presenceOnline, ...touched);
    await redis.hdel(redisKeys.status, ...touched);
    await redis.zrem(redisKeys.statusUntil, ...touched);
  }
  await redis.quit();
});

function users(count: number): string[] {
  const ids = Array.from({ length: count }, () => newObjectId());
  touched.push(...ids);
  return ids;
}

describe('deleteKeysUnder', () => {
  test('deletes every key under the prefix, however many, and nothing else', async () => {
    const base = uniqueName('test-delete');
    // A glob character in the prefix is matched as itself: unescaped, `base*:` would take the neighbours too.
    const prefix = `${base}*:`;
    const neighbours = [`${base}x:kept`, `${base}:kept`];
    const doomed = Array.from({ length: 2_500 }, (_, i) => `${prefix}chat:key:${i}`);
    await redis.mset(...[...doomed, ...neighbours].flatMap((key) => [key, '1']));
    await redis.set(`${prefix}chat:stream`, 'x', 'PX', 60_000);
    try {
      expect(await deleteKeysUnder(redis, prefix)).toBe(doomed.length + 1);
      expect(await redis.exists(...doomed, `${prefix}chat:stream`)).toBe(0);
      expect(await redis.exists(...neighbours)).toBe(neighbours.length);
    } finally {
      await redis.del(...neighbours);
    }
  });

  test('refuses an empty prefix', async () => {
    await expect(deleteKeysUnder(redis, '')).rejects.toThrow('needs a prefix');
  });
});

describe('createRedis', () => {
  test('connects, names the connection and logs ready', async () => {
    await waitFor(() => redis.status === 'ready');
    await pingRedis(redis);
    expect(await redis.client('GETNAME')).toBe('redis-test');
    expect(lines.some((l) => l.msg === 'redis ready' && l.redis === 'redis-test')).toBe(true);
  });

  test('an unreachable server logs and retries instead of crashing; pingRedis fails fast', async () => {
    const local = captureLogger('redis-down-test');
    const down = createRedis('redis://127.0.0.1:1', { logger: local.logger, name: 'redis-down-test' });
    try {
      await waitFor(() => local.lines.some((l) => l.msg === 'redis reconnecting'), {
        message: 'no reconnect logged',
      });
      expect(local.lines.filter((l) => l.msg === 'redis error')).toHaveLength(1);
      await expect(pingRedis(down)).rejects.toThrow(/redis is/);
      await expect(down.get('k')).rejects.toThrow();
    } finally {
      down.disconnect();
    }
  });

  test('lazy clients connect on first command', async () => {
    const lazy = createRedis(testEnv().redisUrl, { logger, name: 'redis-lazy-test', lazy: true });
    try {
      expect(lazy.status).toBe('wait');
      expect(await lazy.ping()).toBe('PONG');
    } finally {
      await lazy.quit();
    }
  });
});

describe('redisKeys', () => {
  test('names every shared key under chat:', () => {
    expect(redisKeys.presenceOnline).toBe('chat:presence:online');
    expect(redisKeys.presenceNode('n1')).toBe('chat:presence:node:n1');
    expect(redisKeys.status).toBe('chat:status');
    expect(redisKeys.held('u')).toBe('chat:held:u');
    expect(redisKeys.delivered('m')).toBe('chat:delivered:m');
    expect(redisKeys.denyList('j')).toBe('chat:denylist:j');
    expect(redisKeys.revocationsChannel).toBe('chat:revocations');
    expect(redisKeys.rateLimit('login', '1.2.3.4')).toBe('chat:ratelimit:login:1.2.3.4');
    expect(USER_STATUSES).toEqual(['Available', 'Busy']);
  });
});

describe('readPresence', () => {
  test('online while the score is ≥ now, offline when lapsed or absent; status defaults to Available', async () => {
    const now = Date.now();
    const [live, lapsed, absent, busy] = users(4) as [string, string, string, string];
    await redis.zadd(redisKeys.presenceOnline, now + 30_000, live, now - 1, lapsed, now + 30_000, busy);
    await redis.hset(redisKeys.status, busy, 'Busy', lapsed, 'Busy');

    const presence = await readPresence(redis, [live, lapsed, absent, busy], now);

    expect(Object.fromEntries(presence)).toEqual({
      [live]: { online: true, status: 'Available', statusUntil: null },
      [lapsed]: { online: false, status: 'Busy', statusUntil: null },
      [absent]: { online: false, status: 'Available', statusUntil: null },
      [busy]: { online: true, status: 'Busy', statusUntil: null },
    });
  });

  test('a score equal to now still counts as online; an unknown status reads as Available', async () => {
    const now = Date.now();
    const [edge] = users(1) as [string];
    await redis.zadd(redisKeys.presenceOnline, now, edge);
    await redis.hset(redisKeys.status, edge, 'Sleeping');
    expect((await readPresence(redis, [edge], now)).get(edge)).toEqual({
      online: true,
      status: 'Available',
      statusUntil: null,
    });
    expect((await readPresence(redis, [edge], now + 1)).get(edge)?.online).toBe(false);
  });

  test('statusUntil is the Busy-until time (ISO) while Busy, else null', async () => {
    const until = Date.now() + 60_000;
    const [busy, back] = users(2) as [string, string];
    await redis.hset(redisKeys.status, busy, 'Busy', back, 'Available');
    await redis.zadd(redisKeys.statusUntil, until, busy, until, back);

    const presence = await readPresence(redis, [busy, back]);

    expect(presence.get(busy)?.statusUntil).toBe(new Date(until).toISOString());
    expect(presence.get(back)?.statusUntil).toBeNull();
  });

  test('no users, no round trip', async () => {
    expect((await readPresence(redis, [])).size).toBe(0);
  });
});
