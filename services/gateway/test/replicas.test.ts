import { revokeToken, revokeUserTokens } from '@chat/shared/auth';
import { createLogger } from '@chat/shared/logger';
import { createRedis, type Redis } from '@chat/shared/redis';
import { newObjectId, testEnv } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cookieFor, REDIS_PREFIX, upstreamsAt, useEchoUpstream, useGateway } from './support.js';

// Two gateways in front of the same services, sharing one Redis, as replicas behind a load balancer.
const upstream = useEchoUpstream('any');
const gateways = [useGateway(() => upstreamsAt(upstream.url)), useGateway(() => upstreamsAt(upstream.url))];
let redis: Redis;

beforeAll(async () => {
  redis = createRedis(testEnv().redisUrl, {
    prefix: REDIS_PREFIX,
    logger: createLogger({ service: 'test', level: 'silent' }),
    name: 'test',
  });
});

afterAll(async () => {
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
