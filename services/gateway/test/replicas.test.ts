import { revokeToken, revokeUserTokens } from '@chat/shared/auth';
import { createLogger } from '@chat/shared/logger';
import { createRedis, type Redis } from '@chat/shared/redis';
import { newObjectId, testEnv } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  cookieFor,
  type EchoUpstream,
  REDIS_PREFIX,
  startEchoUpstream,
  startGateway,
  type TestGateway,
} from './support.js';

// Two gateways in front of the same services, sharing one Redis, as replicas behind a load balancer.
let upstream: EchoUpstream;
let gateways: TestGateway[] = [];
let redis: Redis;

beforeAll(async () => {
  upstream = await startEchoUpstream('any');
  const env = { AUTH_URL: upstream.url, USERS_URL: upstream.url, MESSAGES_URL: upstream.url };
  gateways = [await startGateway(env), await startGateway(env)];
  redis = createRedis(testEnv().redisUrl, {
    prefix: REDIS_PREFIX,
    logger: createLogger({ service: 'test', level: 'silent' }),
    name: 'test',
  });
});

afterAll(async () => {
  await Promise.allSettled(gateways.map((g) => g.stop()));
  await upstream?.close();
  redis?.disconnect();
});

const INVALID = { error: 'Unauthorized - Invalid Token', code: 'AUTH.INVALID_TOKEN' };

async function statusesOf(cookie: string): Promise<Array<{ status: number; body: unknown }>> {
  return Promise.all(
    gateways.map(async (gateway) => {
      const res = await fetch(`${gateway.url}/api/auth/me`, { headers: { cookie } });
      return { status: res.status, body: await res.json() };
    }),
  );
}

describe('the deny-list across gateway replicas', () => {
  test('a token signed out through one gateway is refused by every gateway on the next request', async () => {
    const { cookie, claims } = cookieFor(newObjectId());
    const other = cookieFor(newObjectId());
    expect((await statusesOf(cookie)).map((r) => r.status)).toEqual([200, 200]);

    await revokeToken(redis, claims);

    expect(await statusesOf(cookie)).toEqual([
      { status: 401, body: INVALID },
      { status: 401, body: INVALID },
    ]);
    expect((await statusesOf(other.cookie)).map((r) => r.status)).toEqual([200, 200]);
  });

  test('after "sign out everywhere", every earlier token of that user is refused by every gateway', async () => {
    const userId = newObjectId();
    const phone = cookieFor(userId);
    const laptop = cookieFor(userId);
    expect((await statusesOf(phone.cookie)).map((r) => r.status)).toEqual([200, 200]);

    await revokeUserTokens(redis, userId);

    for (const { cookie } of [phone, laptop]) {
      expect(await statusesOf(cookie)).toEqual([
        { status: 401, body: INVALID },
        { status: 401, body: INVALID },
      ]);
    }
  });
});
