import { revokeToken, revokeUserTokens, USER_TOKEN } from '@chat/shared/auth';
import { createLogger } from '@chat/shared/logger';
import { createRedis, type Redis } from '@chat/shared/redis';
import { testEnv, waitFor } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClientPool, waitForCount } from './support/clients.js';
import {
  ALLOWED_ORIGIN,
  type Cluster,
  messageEvent,
  newUser,
  REDIS_PREFIX,
  startCluster,
  tokenFor,
} from './support/nodes.js';

const clients = createClientPool();
let cluster: Cluster;
let redis: Redis;
let urlA: string;
let urlB: string;

beforeAll(async () => {
  cluster = await startCluster(2);
  [urlA, urlB] = cluster.nodes.map((node) => node.url) as [string, string];
  redis = createRedis(testEnv().redisUrl, {
    prefix: REDIS_PREFIX,
    logger: createLogger({ service: 't', level: 'silent' }),
    name: 't',
  });
});

afterAll(async () => {
  clients.closeAll();
  await cluster?.close();
  redis?.disconnect();
});

describe('socket handshake', () => {
  test('without a token is refused with "No Token Provided"', async () => {
    const err = await clients.refusal(urlA, {});
    expect(err.message).toBe('Unauthorized - No Token Provided');
    expect(err.data?.code).toBe('AUTH.NO_TOKEN');
  });

  test('with a forged token is refused with "Invalid Token"', async () => {
    const { token } = newUser();
    const forged = `${token.slice(0, -4)}AAAA`;
    expect((await clients.refusal(urlB, { token: forged })).message).toBe('Unauthorized - Invalid Token');
    expect((await clients.refusal(urlB, { cookie: 'jwt=not-a-jwt' })).message).toBe(
      'Unauthorized - Invalid Token',
    );
  });

  test('with a revoked token is refused', async () => {
    const user = newUser();
    await revokeToken(redis, user.claims);
    expect((await clients.refusal(urlA, { token: user.token })).message).toBe('Unauthorized - Invalid Token');
  });

  test('from a foreign Origin is refused; the allowed Origin and the jwt cookie get in', async () => {
    const user = newUser();
    await expect(
      clients.refusal(urlA, { token: user.token, origin: 'http://evil.test' }),
    ).resolves.toBeInstanceOf(Error);
    const browser = await clients.connect(urlA, {
      cookie: `${USER_TOKEN.cookieName}=${user.token}`,
      origin: ALLOWED_ORIGIN,
    });
    expect(browser.socket.connected).toBe(true);
  });

  test('non-browser clients may send the token as a Bearer header, never as a ?token= parameter', async () => {
    const user = newUser();
    const viaHeader = await clients.connect(urlA, { bearer: user.token });
    expect(viaHeader.socket.connected).toBe(true);
    expect((await clients.refusal(urlA, { bearer: 'not-a-jwt' })).message).toBe(
      'Unauthorized - Invalid Token',
    );
    expect((await clients.refusal(urlB, { queryToken: user.token })).message).toBe(
      'Unauthorized - No Token Provided',
    );
  });
});

describe('logout and expiry', () => {
  test('revoking a jti disconnects its sockets on both nodes within a second; another jti stays', async () => {
    const alice = newUser();
    const otherToken = tokenFor(alice.userId).token;
    const onA = await clients.connect(urlA, { token: alice.token });
    const onB = await clients.connect(urlB, { token: alice.token });
    const other = await clients.connect(urlB, { token: otherToken });

    const revokedAt = Date.now();
    await revokeToken(redis, alice.claims);

    expect(await onA.disconnectReason()).toBe('io server disconnect');
    expect(await onB.disconnectReason()).toBe('io server disconnect');
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    await cluster.publish(messageEvent(newUser().userId, alice.userId, 'still here'));
    await waitForCount(() => other.messages(), 1, 'the other device lost its socket');
    expect(other.socket.connected).toBe(true);
  });

  test("signing a user out everywhere closes their sockets on both nodes; other users' stay, a newer token gets in", async () => {
    const alice = newUser();
    const secondDevice = tokenFor(alice.userId).token;
    const onA = await clients.connect(urlA, { token: alice.token });
    const onB = await clients.connect(urlB, { token: secondDevice });
    const bob = newUser();
    const bystander = await clients.connect(urlA, { token: bob.token });

    const before = await revokeUserTokens(redis, alice.userId);

    // The re-check runs once a minute here: the announcement alone closes them.
    expect(await onA.disconnectReason()).toBe('io server disconnect');
    expect(await onB.disconnectReason()).toBe('io server disconnect');
    expect((await clients.refusal(urlB, { token: secondDevice })).data?.code).toBe('AUTH.INVALID_TOKEN');
    const later = tokenFor(alice.userId, new Date((before + 1) * 1000)).token;
    expect((await clients.connect(urlA, { token: later })).socket.connected).toBe(true);
    await cluster.publish(messageEvent(alice.userId, bob.userId, 'still here'));
    await waitForCount(() => bystander.messages(), 1, 'the bystander lost its socket');
  });

  test('a socket is disconnected when its token expires', async () => {
    // Issued so that it expires about two seconds from now.
    const issuedAt = new Date(Date.now() - USER_TOKEN.ttlSeconds * 1000 + 2_500);
    const user = newUser(issuedAt);
    const socket = await clients.connect(urlA, { token: user.token });

    const reason = await waitFor(() => socket.disconnectReason(), { timeoutMs: 5_000 });

    expect(reason).toBe('io server disconnect');
    expect(Date.now()).toBeGreaterThanOrEqual(user.claims.exp * 1000);
  });
});
