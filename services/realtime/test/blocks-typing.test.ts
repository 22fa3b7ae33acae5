import { redisKeys } from '@chat/shared/redis';
import type { TypingNotice } from '@chat/shared/sockets';
import { waitFor } from '@chat/shared/testing';
import { describe, expect, test } from 'vitest';
import { type TestClient, waitForCount } from './support/clients.js';
import { useRealtimeCluster } from './support/cluster.js';
import { blockEvent } from './support/events.js';
import { messageEvent, newUser } from './support/nodes.js';

const rt = useRealtimeCluster();
const { clients } = rt;

const typings = (client: TestClient) => client.events<TypingNotice>('typing');

/** Resolves once realtime's view of "blocker blocked blocked" is `blocked`. */
async function blockApplied(blockerId: string, blockedId: string, blocked: boolean) {
  const seen = await waitFor(
    async () => (await rt.redis.sismember(redisKeys.blocks(blockerId), blockedId)) === (blocked ? 1 : 0),
    { timeoutMs: 5_000, message: 'the block change was never applied' },
  );
  expect(seen).toBe(true);
}

describe('typing', () => {
  test('reaches an Available recipient on the other node; true is throttled, false always passes', async () => {
    const alice = newUser();
    const bob = newUser();
    const aliceSocket = await clients.connect(rt.urlA, { token: alice.token });
    const aliceOnB = await clients.connect(rt.urlB, { token: alice.token });
    const bobSocket = await clients.connect(rt.urlB, { token: bob.token });

    expect(await aliceSocket.typing({ to: bob.userId, typing: true })).toEqual({ ok: true });
    // The throttle is per sender → recipient across nodes, not per socket.
    expect(await aliceOnB.typing({ to: bob.userId, typing: true })).toEqual({ ok: true });
    expect(await aliceSocket.typing({ to: bob.userId, typing: false })).toEqual({ ok: true });
    expect(await aliceSocket.typing({ to: bob.userId, typing: false })).toEqual({ ok: true });

    await waitForCount(() => typings(bobSocket), 3, 'Bob missed typing notices');
    expect(typings(bobSocket)).toEqual([
      { from: alice.userId, typing: true },
      { from: alice.userId, typing: false },
      { from: alice.userId, typing: false },
    ]);
    expect(typings(aliceSocket)).toEqual([]);
  });

  test('is not forwarded to a Busy recipient, and refuses bad shapes and oneself', async () => {
    const [alice, bob] = await rt.connectUsers('A', 'B');
    await bob.socket.setStatus('Busy');

    expect(await alice.socket.typing({ to: bob.userId, typing: true })).toEqual({ ok: true });
    const bad = [
      null,
      'typing',
      { to: 'nope', typing: true },
      { to: bob.userId, typing: 'yes' },
      { to: bob.userId },
      { to: bob.userId, typing: true, extra: 1 },
      { to: alice.userId, typing: true },
    ];
    for (const input of bad) {
      expect(await alice.socket.typing(input)).toMatchObject({ ok: false, code: 'REALTIME.INVALID_TYPING' });
    }
    // No ack: still handled, nothing thrown.
    alice.socket.socket.emit('typing', { to: bob.userId, typing: true });
    await bob.socket.setStatus('Available');
    expect(await alice.socket.typing({ to: bob.userId, typing: false })).toEqual({ ok: true });

    // Everything for Bob's node goes out on its one channel in order: what came before the marker has arrived with it.
    await waitForCount(() => typings(bob.socket), 1, 'Bob missed the marker');
    expect(typings(bob.socket)).toEqual([{ from: alice.userId, typing: false }]);
  });

  test('to an offline user is acknowledged and goes nowhere', async () => {
    const alice = await clients.connect(rt.urlA, { token: newUser().token });

    expect(await alice.typing({ to: newUser().userId, typing: true })).toEqual({ ok: true });
  });
});

describe('blocking', () => {
  test('drops the held messages from the blocked user, stops typing and live pushes; a newer unblock lifts it', async () => {
    const [alice, bob, carol] = await rt.connectUsers('A', 'B', 'A');
    await bob.socket.setStatus('Busy');
    const base = Date.now();
    await rt.cluster.publish(messageEvent(alice.userId, bob.userId, 'from Alice', new Date(base)));
    await rt.cluster.publish(messageEvent(carol.userId, bob.userId, 'from Carol', new Date(base + 1)));
    await waitForCount(() => alice.socket.deliveries(), 1, 'not deferred');
    await waitForCount(() => carol.socket.deliveries(), 1, 'not deferred');

    const blockedAt = new Date();
    const block = blockEvent(bob.userId, alice.userId, blockedAt);
    await rt.cluster.publishEvent('user.blocked', block);
    await blockApplied(bob.userId, alice.userId, true);
    // An unblock older than the block (consumed late from its own queue) changes nothing.
    const stale = blockEvent(bob.userId, alice.userId, new Date(+blockedAt - 1));
    await rt.cluster.publishEvent('user.unblocked', stale);
    await rt.cluster.publishEvent('user.blocked', block);
    await waitFor(async () => (await rt.redis.exists(redisKeys.realtimeEventDone(stale.eventId))) === 1, {
      timeoutMs: 5_000,
      message: 'the stale unblock was never consumed',
    });
    expect(await rt.redis.sismember(redisKeys.blocks(bob.userId), alice.userId)).toBe(1);
    await bob.socket.setStatus('Available');

    expect(bob.socket.messages().map((m) => m.message)).toEqual(['from Carol']);
    expect(await alice.socket.typing({ to: bob.userId, typing: true })).toEqual({ ok: true });
    expect(await bob.socket.typing({ to: alice.userId, typing: true })).toEqual({ ok: true });
    await rt.cluster.publish(messageEvent(alice.userId, bob.userId, 'in flight'));
    await rt.cluster.publish(messageEvent(carol.userId, bob.userId, 'marker'));
    await waitForCount(() => bob.socket.messages(), 2, 'Bob missed the marker');
    expect(bob.socket.messages().map((m) => m.message)).toEqual(['from Carol', 'marker']);
    expect(await rt.redis.sismember(redisKeys.blocks(bob.userId), alice.userId)).toBe(1);

    await rt.cluster.publishEvent(
      'user.unblocked',
      blockEvent(bob.userId, alice.userId, new Date(+blockedAt + 1)),
    );
    await blockApplied(bob.userId, alice.userId, false);
    expect(await alice.socket.typing({ to: bob.userId, typing: true })).toEqual({ ok: true });
    await waitForCount(() => typings(bob.socket), 1, 'typing did not resume after the unblock');
    expect(typings(bob.socket)).toEqual([{ from: alice.userId, typing: true }]);
    expect(typings(alice.socket)).toEqual([]);
  });
});
