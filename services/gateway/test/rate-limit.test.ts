import { revokeToken } from '@chat/shared/auth';
import { createLogger } from '@chat/shared/logger';
import { createRedis, type Redis } from '@chat/shared/redis';
import { newObjectId, testEnv, uniqueName } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  cookieFor,
  REDIS_PREFIX,
  startGateway,
  type TestGateway,
  upstreamsAt,
  useEchoUpstream,
  useGateway,
} from './support.js';

let redis: Redis;

beforeAll(async () => {
  redis = createRedis(testEnv().redisUrl, {
    logger: createLogger({ service: 'test', level: 'silent' }),
    name: 'test',
    prefix: REDIS_PREFIX,
  });
});

afterAll(async () => {
  redis?.disconnect();
});

const auth = useEchoUpstream('auth');
const users = useEchoUpstream('users');
const upstreams = () => upstreamsAt(auth.url, users.url, users.url);
// Two replicas sharing one Redis namespace, like two gateway containers.
const sharedNamespace = uniqueName('test');
const gatewayA = useGateway(() => ({ ...upstreams(), RATE_LIMIT_NAMESPACE: sharedNamespace }));
const gatewayB = useGateway(() => ({ ...upstreams(), RATE_LIMIT_NAMESPACE: sharedNamespace }));
const tightGateway = useGateway(() => ({
  ...upstreams(),
  TRUST_PROXY_HOPS: '0',
  RATE_LIMIT_LOGIN_PER_IP: '3',
  RATE_LIMIT_SIGNUP_PER_IP: '2',
  RATE_LIMIT_API_PER_USER: '3',
}));

/** A gateway that trusts one proxy hop (every upstream on `auth`), with `limits`, for the time of `use`. */
async function withGatewayBehindProxy(
  limits: Record<string, string>,
  use: (gateway: TestGateway) => Promise<void>,
): Promise<void> {
  const gateway = await startGateway({ ...upstreamsAt(auth.url), TRUST_PROXY_HOPS: '1', ...limits });
  try {
    await use(gateway);
  } finally {
    await gateway.stop();
  }
}

function post(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('POST /api/auth/login', () => {
  test('the 6th rapid login for one username is 429 with Retry-After, across two gateways sharing Redis', async () => {
    const username = `alice-${newObjectId()}`;
    const before = auth.requests.length;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const gateway = i % 2 === 0 ? gatewayA : gatewayB;
      // Case and spacing variants count as the same username, as the auth service treats them.
      const name = i === 3 ? ` ${username.toUpperCase()} ` : username;
      statuses.push(
        (await post(gateway.url, '/api/auth/login', { username: name, password: `guess-${i}` })).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const sixth = await post(gatewayB.url, '/api/auth/login', { username, password: 'guess-6' });
    expect(sixth.status).toBe(429);
    expect(await sixth.json()).toEqual({
      error: 'Too many requests, try again later',
      code: 'GATEWAY.RATE_LIMITED',
    });
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(auth.requests.length - before).toBe(5);
    // Another username is not affected.
    expect(
      (await post(gatewayA.url, '/api/auth/login', { username: `bob-${newObjectId()}`, password: 'x' }))
        .status,
    ).toBe(200);
  });

  test('the per-IP limit ignores a forged X-Forwarded-For when no proxy is trusted', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await post(
        tightGateway.url,
        '/api/auth/login',
        { username: `u-${newObjectId()}`, password: 'x' },
        { 'x-forwarded-for': `203.0.113.${i + 1}` },
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  test('the route is matched whatever its case or trailing slash', async () => {
    const username = `carol-${newObjectId()}`;
    const statuses: number[] = [];
    for (const path of [
      '/api/auth/login',
      '/API/auth/LOGIN/',
      '/api/auth//login',
      '/Api/Auth/Login',
      '/api/auth/login/',
      '/api/auth/login',
    ]) {
      statuses.push((await post(gatewayA.url, path, { username, password: 'x' })).status);
    }
    expect(statuses.at(-1)).toBe(429);
  });

  test('behind a trusted proxy hop, the client address from X-Forwarded-For picks the bucket', async () => {
    await withGatewayBehindProxy({ RATE_LIMIT_LOGIN_PER_IP: '1' }, async (behindProxy) => {
      const login = (ip: string) =>
        post(
          behindProxy.url,
          '/api/auth/login',
          { username: `u-${newObjectId()}`, password: 'x' },
          { 'x-forwarded-for': ip },
        );
      expect([(await login('198.51.100.1')).status, (await login('198.51.100.2')).status]).toEqual([
        200, 200,
      ]);
      expect((await login('198.51.100.1')).status).toBe(429);
    });
  });
});

describe('client addresses', () => {
  test('IPv6 clients share a bucket per /64; an IPv4-mapped address counts as its IPv4 address', async () => {
    await withGatewayBehindProxy({ RATE_LIMIT_LOGIN_PER_IP: '2' }, async (behindProxy) => {
      const login = async (ip: string) =>
        (
          await post(
            behindProxy.url,
            '/api/auth/login',
            { username: `u-${newObjectId()}`, password: 'x' },
            { 'x-forwarded-for': ip },
          )
        ).status;
      // Three addresses of one /64 (as a client rotating through its own prefix would use).
      expect([
        await login('2001:db8:7:1::1'),
        await login('2001:db8:7:1:ffff:ffff:ffff:fffe'),
        await login('2001:0db8:0007:0001:0:0:0:2a'),
      ]).toEqual([200, 200, 429]);
      // The next /64 is another client.
      expect(await login('2001:db8:7:2::1')).toBe(200);
      expect([await login('198.51.100.77'), await login('::ffff:198.51.100.77')]).toEqual([200, 200]);
      expect(await login('::ffff:c633:644d')).toBe(429);
    });
  });
});

describe('account lockout', () => {
  test('an attacker from another address is limited while the owner still logs in from theirs', async () => {
    await withGatewayBehindProxy({ RATE_LIMIT_LOGIN_PER_USERNAME: '12' }, async (behindProxy) => {
      const username = `owner-${newObjectId()}`;
      const attempt = (ip: string) =>
        post(behindProxy.url, '/api/auth/login', { username, password: 'guess' }, { 'x-forwarded-for': ip });
      const attacker: number[] = [];
      for (let i = 0; i < 10; i += 1) attacker.push((await attempt('198.51.100.66')).status);
      expect(attacker).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429]);
      // The owner's own address has its own budget: the attacker's refused guesses used none of it.
      expect((await attempt('203.0.113.10')).status).toBe(200);
      // The global per-username ceiling (12 here) still stops guessing spread over many addresses.
      const spread: number[] = [];
      for (let i = 0; i < 8; i += 1) spread.push((await attempt(`192.0.2.${i + 1}`)).status);
      expect(spread).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    });
  });
});

describe('POST /api/auth/signup', () => {
  test('is limited per IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push(
        (await post(tightGateway.url, '/api/auth/signup', { username: `s-${newObjectId()}` })).status,
      );
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('per-user API limit', () => {
  test('counts each user separately', async () => {
    const alice = cookieFor(newObjectId()).cookie;
    const bob = cookieFor(newObjectId()).cookie;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await fetch(`${tightGateway.url}/api/users`, { headers: { cookie: alice } })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await fetch(`${tightGateway.url}/api/users`, { headers: { cookie: bob } })).status).toBe(200);
  });

  test("a revoked token's requests are refused without using up the user's budget", async () => {
    const userId = newObjectId();
    const revoked = cookieFor(userId);
    await revokeToken(redis, revoked.claims);
    for (let i = 0; i < 4; i += 1) {
      const res = await fetch(`${tightGateway.url}/api/users`, { headers: { cookie: revoked.cookie } });
      expect(res.status).toBe(401);
    }
    const current = cookieFor(userId).cookie;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await fetch(`${tightGateway.url}/api/users`, { headers: { cookie: current } })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
