import { revokeToken, revokeUserTokens, USER_TOKEN } from '@chat/shared/auth';
import { waitFor } from '@chat/shared/testing';
import { describe, expect, test } from 'vitest';
import { waitForCount } from './support/clients.js';
import { useRealtimeCluster } from './support/cluster.js';
import { ALLOWED_ORIGIN, messageEvent, newUser, tokenFor } from './support/nodes.js';

const rt = useRealtimeCluster();
const { clients } = rt;

describe('socket handshake', () => {
  test('without a token is refused with "No Token Provided"', async () => {
    const err = await clients.refusal(rt.urlA, {});
    expect(err.message).toBe('Unauthorized - No Token Provided');
    expect(err.data?.code).toBe('AUTH.NO_TOKEN');
  });

  test('with a forged token is refused with "Invalid Token"', async () => {
    const { token } = newUser();
    const forged = `${token.slice(0, -4)}AAAA`;
    expect((await clients.refusal(rt.urlB, { token: forged })).message).toBe('Unauthorized - Invalid Token');
    expect((await clients.refusal(rt.urlB, { cookie: 'jwt=not-a-jwt' })).message).toBe(
      'Unauthorized - Invalid Token',
    );
  });

  test('with a revoked token is refused', async () => {
    const user = newUser();
    await revokeToken(rt.redis, user.claims);
    expect((await clients.refusal(rt.urlA, { token: user.token })).message).toBe(
      'Unauthorized - Invalid Token',
    );
  });

  test('from a foreign Origin is refused; the allowed Origin and the jwt cookie get in', async () => {
    const user = newUser();
    await expect(
      clients.refusal(rt.urlA, { token: user.token, origin: 'http://evil.test' }),
    ).resolves.toBeInstanceOf(Error);
    const browser = await clients.connect(rt.urlA, {
      cookie: `${USER_TOKEN.cookieName}=${user.token}`,
      origin: ALLOWED_ORIGIN,
    });
    expect(browser.socket.connected).toBe(true);
  });

  test('non-browser clients may send the token as a Bearer header, never as a ?token= parameter', async () => {
    const user = newUser();
    const viaHeader = await clients.connect(rt.urlA, { bearer: user.token });
    expect(viaHeader.socket.connected).toBe(true);
    expect((await clients.refusal(rt.urlA, { bearer: 'not-a-jwt' })).message).toBe(
      'Unauthorized - Invalid Token',
    );
    expect((await clients.refusal(rt.urlB, { queryToken: user.token })).message).toBe(
      'Unauthorized - No Token Provided',
    );
  });
});

describe('logout and expiry', () => {
  test('revoking a jti disconnects its sockets on both nodes within a second; another jti stays', async () => {
    const alice = newUser();
    const otherToken = tokenFor(alice.userId).token;
    const onA = await clients.connect(rt.urlA, { token: alice.token });
    const onB = await clients.connect(rt.urlB, { token: alice.token });
    const other = await clients.connect(rt.urlB, { token: otherToken });

    const revokedAt = Date.now();
    await revokeToken(rt.redis, alice.claims);

    expect(await onA.disconnectReason()).toBe('io server disconnect');
    expect(await onB.disconnectReason()).toBe('io server disconnect');
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    await rt.cluster.publish(messageEvent(newUser().userId, alice.userId, 'still here'));
    await waitForCount(() => other.messages(), 1, 'the other device lost its socket');
    expect(other.socket.connected).toBe(true);
  });

  test("signing a user out everywhere closes their sockets on both nodes; other users' stay, a newer token gets in", async () => {
    const alice = newUser();
    const secondDevice = tokenFor(alice.userId).token;
    const onA = await clients.connect(rt.urlA, { token: alice.token });
    const onB = await clients.connect(rt.urlB, { token: secondDevice });
    const bob = newUser();
    const bystander = await clients.connect(rt.urlA, { token: bob.token });

    const before = await revokeUserTokens(rt.redis, alice.userId);

    // The re-check runs once a minute here: the announcement alone closes them.
    expect(await onA.disconnectReason()).toBe('io server disconnect');
    expect(await onB.disconnectReason()).toBe('io server disconnect');
    expect((await clients.refusal(rt.urlB, { token: secondDevice })).data?.code).toBe('AUTH.INVALID_TOKEN');
    const later = tokenFor(alice.userId, new Date((before + 1) * 1000)).token;
    expect((await clients.connect(rt.urlA, { token: later })).socket.connected).toBe(true);
    await rt.cluster.publish(messageEvent(alice.userId, bob.userId, 'still here'));
    await waitForCount(() => bystander.messages(), 1, 'the bystander lost its socket');
  });

  test('a socket is disconnected when its token expires', async () => {
    // Issued so that it expires about two seconds from now.
    const issuedAt = new Date(Date.now() - USER_TOKEN.ttlSeconds * 1000 + 2_500);
    const user = newUser(issuedAt);
    const socket = await clients.connect(rt.urlA, { token: user.token });

    const reason = await waitFor(() => socket.disconnectReason(), { timeoutMs: 5_000 });

    expect(reason).toBe('io server disconnect');
    expect(Date.now()).toBeGreaterThanOrEqual(user.claims.exp * 1000);
  });
});
