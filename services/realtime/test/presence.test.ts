import { readPresence, redisKeys } from '@chat/shared/redis';
import { waitFor } from '@chat/shared/testing';
import { describe, expect, test } from 'vitest';
import { waitForCount } from './support/clients.js';
import { useRealtimeCluster } from './support/cluster.js';
import { FAST_PRESENCE, messageEvent, newUser } from './support/nodes.js';

const rt = useRealtimeCluster(FAST_PRESENCE);
const { clients } = rt;

const isOnline = async (userId: string) => (await readPresence(rt.redis, [userId])).get(userId)?.online;

describe('presence across nodes', () => {
  test('online is announced once for two tabs, offline once when the last tab closes', async () => {
    const watcher = await clients.connect(rt.urlA, { token: newUser().token });
    const bob = newUser();

    const tab1 = await clients.connect(rt.urlA, { token: bob.token });
    const tab2 = await clients.connect(rt.urlB, { token: bob.token });
    await waitForCount(() => watcher.presence(bob.userId), 1, 'no online presence');
    await waitFor(() => watcher.onlineLists().some((ids) => ids.includes(bob.userId)), {
      message: 'getOnlineUsers never listed Bob',
    });
    tab1.socket.close();
    // A presence change of a second user, sent after tab1 closed, shows whether a stray offline came first.
    const marker = newUser();
    await clients.connect(rt.urlB, { token: marker.token });
    await waitForCount(() => watcher.presence(marker.userId), 1, 'no marker presence');
    expect(watcher.presence(bob.userId)).toEqual([true]);
    expect(await isOnline(bob.userId)).toBe(true);

    tab2.socket.close();

    await waitForCount(() => watcher.presence(bob.userId), 2, 'no offline presence');
    expect(watcher.presence(bob.userId)).toEqual([true, false]);
    expect(await isOnline(bob.userId)).toBe(false);
    await waitFor(() => watcher.onlineLists().at(-1)?.includes(bob.userId) === false, {
      message: 'getOnlineUsers still lists Bob',
    });
  });

  test('a new socket gets the online list and its own status', async () => {
    const alice = newUser();
    await clients.connect(rt.urlA, { token: alice.token });
    const bob = newUser();

    const socket = await clients.connect(rt.urlB, { token: bob.token });

    const [list] = await waitForCount(() => socket.onlineLists(), 1, 'no initial online list');
    expect(list).toEqual(expect.arrayContaining([alice.userId, bob.userId]));
    await waitForCount(() => socket.statuses(bob.userId), 1, 'no initial own status');
    expect(socket.statuses(bob.userId)).toEqual(['Available']);
  });

  test('a killed node leaves no user online past the lapse window; the survivor keeps delivering', async () => {
    const doomed = await rt.cluster.addNode();
    const watcher = await clients.connect(rt.urlA, { token: newUser().token });
    const dave = newUser();
    const frank = newUser();
    await clients.connect(doomed.url, { token: dave.token });
    await clients.connect(doomed.url, { token: frank.token });
    const frankSurvivor = await clients.connect(rt.urlB, { token: frank.token });
    await waitForCount(() => watcher.presence(dave.userId), 1, 'Dave never online');

    const killedAt = Date.now();
    await doomed.app.kill();

    await waitForCount(() => watcher.presence(dave.userId), 2, 'Dave still online', 5_000);
    expect(watcher.presence(dave.userId)).toEqual([true, false]);
    expect(Date.now() - killedAt).toBeLessThan(Number(FAST_PRESENCE.PRESENCE_TTL_MS) + 1_500);
    expect(await isOnline(dave.userId)).toBe(false);
    // The node's heartbeat may outlive its last user's score by a few ms (a later connect pushed it).
    await waitFor(async () => (await rt.redis.exists(redisKeys.presenceNode(doomed.nodeId))) === 0, {
      message: 'the dead node was never swept',
    });
    await rt.cluster.publish(messageEvent(dave.userId, frank.userId, 'after the crash'));
    await waitForCount(() => frankSurvivor.messages(), 1, 'no delivery after the crash');
    expect(watcher.presence(frank.userId)).toEqual([true]);
    expect(await isOnline(frank.userId)).toBe(true);
  });

  test('a graceful stop sends clients away and removes its presence', async () => {
    const leaving = await rt.cluster.addNode();
    const watcher = await clients.connect(rt.urlA, { token: newUser().token });
    const gina = newUser();
    const hank = newUser();
    const ginaSocket = await clients.connect(leaving.url, { token: gina.token });
    await clients.connect(leaving.url, { token: hank.token });
    await clients.connect(rt.urlB, { token: hank.token });
    await waitForCount(() => watcher.presence(gina.userId), 1, 'Gina never online');

    await leaving.app.stop();

    // "transport close" is the reason socket.io-client reconnects on (towards another node behind the gateway).
    expect(await ginaSocket.disconnectReason()).toBe('transport close');
    await waitForCount(() => watcher.presence(gina.userId), 2, 'Gina still online');
    expect(watcher.presence(gina.userId)).toEqual([true, false]);
    expect(await isOnline(gina.userId)).toBe(false);
    expect(await isOnline(hank.userId)).toBe(true);
    expect(watcher.presence(hank.userId)).toEqual([true]);
    expect(await rt.redis.exists(redisKeys.presenceNode(leaving.nodeId))).toBe(0);
    expect(await rt.redis.zscore(redisKeys.presenceNodes, leaving.nodeId)).toBeNull();
  });
});
