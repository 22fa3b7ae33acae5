import { createLogger } from '@chat/shared/logger';
import { createRedis, type Redis, readPresence } from '@chat/shared/redis';
import { testEnv } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClientPool, waitForCount } from './support/clients.js';
import { type Cluster, newUser, REDIS_PREFIX, startCluster } from './support/nodes.js';

const clients = createClientPool();
let cluster: Cluster;
let redis: Redis;
let urlA: string;
let urlB: string;

beforeAll(async () => {
  cluster = await startCluster(2, { SOCKET_EVENTS_PER_SECOND: '5' });
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

describe('setStatus', () => {
  test('rejects anything but Available/Busy in the ack and changes nothing', async () => {
    const bob = newUser();
    const socket = await clients.connect(urlA, { token: bob.token });
    await socket.setStatus('Busy');

    for (const bad of ['Away', {}, ['Available'], null]) {
      expect(await socket.setStatus(bad)).toMatchObject({ ok: false, code: 'REALTIME.INVALID_STATUS' });
    }

    expect((await readPresence(redis, [bob.userId])).get(bob.userId)?.status).toBe('Busy');
  });

  test('is stored, broadcast as userStatus, and kept across a reconnect to the other node', async () => {
    const bob = newUser();
    const watcher = await clients.connect(urlB, { token: newUser().token });
    const first = await clients.connect(urlA, { token: bob.token });

    expect(await first.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    await waitForCount(() => watcher.statuses(bob.userId), 1, 'the watcher never saw the status');
    expect(watcher.statuses(bob.userId)).toEqual(['Busy']);
    first.socket.close();
    const again = await clients.connect(urlB, { token: bob.token });

    await waitForCount(() => again.statuses(bob.userId), 1, 'no initial status on reconnect');
    expect(again.statuses(bob.userId)).toEqual(['Busy']);
    expect((await readPresence(redis, [bob.userId])).get(bob.userId)?.status).toBe('Busy');
  });

  test('a payload over 1 MB drops only the offending socket', async () => {
    const mallory = newUser();
    const bystander = await clients.connect(urlA, { token: newUser().token });
    const attacker = await clients.connect(urlA, { token: mallory.token });

    attacker.socket.emit('setStatus', 'x'.repeat(1_100_000) as 'Busy', () => undefined);

    expect(await attacker.disconnectReason()).toMatch(/transport (close|error)/);
    expect(await bystander.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    expect((await readPresence(redis, [mallory.userId])).get(mallory.userId)?.status).toBe('Available');
  });

  test('events over the per-socket rate are refused, and a sustained flood disconnects', async () => {
    const flooder = await clients.connect(urlB, { token: newUser().token });

    const acks = await Promise.all(Array.from({ length: 10 }, () => flooder.setStatus('Busy')));

    expect(acks.filter((ack) => ack.ok)).toHaveLength(5);
    expect(acks.filter((ack) => !ack.ok)).toEqual(
      Array.from({ length: 5 }, () => expect.objectContaining({ code: 'REALTIME.RATE_LIMITED' })),
    );
    for (let i = 0; i < 100; i++) flooder.socket.emit('setStatus', 'Busy', () => undefined);
    expect(await flooder.disconnectReason()).toBe('io server disconnect');
  });
});
