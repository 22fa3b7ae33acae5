import { type Redis, readPresence } from '@chat/shared/redis';
import { uniqueName } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClientPool, waitForCount } from './support/clients.js';
import { openRedis } from './support/cluster.js';
import { type Cluster, newUser, startCluster } from './support/nodes.js';

// Two deployments on one Redis under different REDIS_PREFIX values: the same users on both, yet
// presence, statuses and broadcasts stay within each.
const OTHER_PREFIX = `${uniqueName('test-realtime-other')}:`;
const clients = createClientPool();
let mine: Cluster;
let other: Cluster;
let redis: Redis;
let otherRedis: Redis;

beforeAll(async () => {
  mine = await startCluster(1);
  other = await startCluster(1, { REDIS_PREFIX: OTHER_PREFIX });
  redis = openRedis('t');
  otherRedis = openRedis('t-other', OTHER_PREFIX);
});

afterAll(async () => {
  clients.closeAll();
  await Promise.all([mine?.close(), other?.close()]);
  redis?.disconnect();
  otherRedis?.disconnect();
});

describe('REDIS_PREFIX', () => {
  test('a status change in one deployment is stored and broadcast there only', async () => {
    const [mineUrl] = mine.nodes.map((n) => n.url) as [string];
    const [otherUrl] = other.nodes.map((n) => n.url) as [string];
    const bob = newUser();
    const watcher = newUser();
    const otherBob = await clients.connect(otherUrl, { token: bob.token });
    const otherWatcher = await clients.connect(otherUrl, { token: watcher.token });
    const mineWatcher = await clients.connect(mineUrl, { token: watcher.token });

    expect(await otherBob.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    await waitForCount(() => otherWatcher.statuses(bob.userId), 1, 'the other deployment never saw it');

    // Bob is online and Busy under the other prefix only.
    const there = (await readPresence(otherRedis, [bob.userId])).get(bob.userId);
    const here = (await readPresence(redis, [bob.userId])).get(bob.userId);
    expect(there).toMatchObject({ online: true, status: 'Busy' });
    expect(here).toMatchObject({ online: false, status: 'Available' });

    // Bob comes online here (Available, as nothing is stored for him under this prefix) and turns Busy: this
    // deployment's watcher hears that, and the other deployment's watcher hears nothing more.
    const mineBob = await clients.connect(mineUrl, { token: bob.token });
    expect(await mineBob.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    await waitForCount(() => mineWatcher.statuses(bob.userId), 1, 'this deployment never saw its own change');
    expect(mineWatcher.statuses(bob.userId)).toEqual(['Busy']);
    expect(otherWatcher.statuses(bob.userId)).toEqual(['Busy']);
    expect((await readPresence(otherRedis, [bob.userId])).get(bob.userId)?.status).toBe('Busy');
  });
});
