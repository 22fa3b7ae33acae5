import { createLogger } from '@chat/shared/logger';
import { createRedis, readPresence, redisKeys } from '@chat/shared/redis';
import { testEnv } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClientPool, waitForCount } from './support/clients.js';
import { type Cluster, messageEvent, newUser, REDIS_PREFIX, startCluster } from './support/nodes.js';

const clients = createClientPool();
let cluster: Cluster;
let urlA: string;
let urlB: string;

beforeAll(async () => {
  cluster = await startCluster(2);
  [urlA, urlB] = cluster.nodes.map((node) => node.url) as [string, string];
});

afterAll(async () => {
  clients.closeAll();
  await cluster?.close();
});

describe('message.created delivery', () => {
  test('reaches the recipient on the other node exactly once, and the sender gets delivered', async () => {
    const alice = newUser();
    const bob = newUser();
    const carol = newUser();
    const aliceSocket = await clients.connect(urlA, { token: alice.token });
    const bobSocket = await clients.connect(urlB, { token: bob.token });
    const carolSocket = await clients.connect(urlA, { token: carol.token });
    const event = messageEvent(alice.userId, bob.userId, 'hi Bob');

    await cluster.publish(event);

    await waitForCount(() => bobSocket.messages(), 1, 'Bob never got the message');
    await waitForCount(() => aliceSocket.deliveries(), 1, 'Alice never got delivered');
    expect(aliceSocket.deliveries()).toEqual([{ messageId: event.message._id, state: 'delivered' }]);
    // Room isolation: a later message to Carol is the only thing Carol ever receives.
    await cluster.publish(messageEvent(alice.userId, carol.userId, 'marker'));
    await waitForCount(() => carolSocket.messages(), 1, 'Carol never got her own message');
    expect(carolSocket.messages().map((m) => m.message)).toEqual(['marker']);
    expect(bobSocket.messages()).toEqual([event.message]);
    expect(aliceSocket.messages()).toEqual([]);
  });

  test('a user with sockets on both nodes gets each message on every socket, once each', async () => {
    const alice = newUser();
    const bob = newUser();
    const bobTabs = [
      await clients.connect(urlA, { token: bob.token }),
      await clients.connect(urlB, { token: bob.token }),
      await clients.connect(urlB, { token: bob.token }),
    ];
    const events = [1, 2, 3].map((n) => messageEvent(alice.userId, bob.userId, `m${n}`));

    for (const event of events) await cluster.publish(event);

    for (const tab of bobTabs) await waitForCount(() => tab.messages(), 3, 'a tab missed messages');
    // A final marker proves nothing else was still on its way.
    await cluster.publish(messageEvent(alice.userId, bob.userId, 'marker'));
    for (const tab of bobTabs) {
      await waitForCount(() => tab.messages(), 4, 'a tab missed the marker');
      expect(
        tab
          .messages()
          .map((m) => m.message)
          .sort(),
      ).toEqual(['m1', 'm2', 'm3', 'marker']);
    }
  });

  test('a redelivered event (same message id twice) reaches the socket once', async () => {
    const alice = newUser();
    const bob = newUser();
    const bobSocket = await clients.connect(urlB, { token: bob.token });
    const aliceSocket = await clients.connect(urlA, { token: alice.token });
    const event = messageEvent(alice.userId, bob.userId, 'once');

    await cluster.publish(event);
    await cluster.publish({ ...event, eventId: crypto.randomUUID() });
    await cluster.publish(messageEvent(alice.userId, bob.userId, 'marker'));

    await waitForCount(() => bobSocket.messages(), 2, 'Bob never got the marker');
    await waitForCount(() => aliceSocket.deliveries(), 2, 'Alice never got both deliveries');
    expect(bobSocket.messages().filter((m) => m._id === event.message._id)).toHaveLength(1);
    expect(aliceSocket.deliveries().filter((d) => d.messageId === event.message._id)).toHaveLength(1);
  });

  test('an offline recipient gets nothing live and the sender no delivery state', async () => {
    const alice = newUser();
    const offline = newUser();
    const aliceSocket = await clients.connect(urlA, { token: alice.token });
    const dropped = messageEvent(alice.userId, offline.userId, 'nobody home');

    await cluster.publish(dropped);
    await cluster.publish(messageEvent(offline.userId, alice.userId, 'marker'));

    await waitForCount(() => aliceSocket.messages(), 1, 'Alice never got the marker');
    expect(aliceSocket.deliveries()).toEqual([]);
    const late = await clients.connect(urlB, { token: offline.token });
    await waitForCount(() => late.onlineLists(), 1, 'no initial online list');
    expect(late.messages()).toEqual([]);
  });
});

describe('Busy recipients', () => {
  test('get nothing live; held messages arrive in order after Available, then delivered', async () => {
    const alice = newUser();
    const bob = newUser();
    const aliceSocket = await clients.connect(urlA, { token: alice.token });
    const bobOnA = await clients.connect(urlA, { token: bob.token });
    const bobOnB = await clients.connect(urlB, { token: bob.token });
    expect(await bobOnA.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    const base = Date.now();
    const events = Array.from({ length: 100 }, (_, i) =>
      messageEvent(alice.userId, bob.userId, `held ${i}`, new Date(base + i)),
    );

    await Promise.all(events.map((event) => cluster.publish(event)));

    const deferred = await waitForCount(() => aliceSocket.deliveries(), 100, 'not every message deferred');
    expect(new Set(deferred.map((d) => d.state))).toEqual(new Set(['deferred']));
    expect(bobOnA.messages()).toEqual([]);
    expect(bobOnB.messages()).toEqual([]);

    expect(await bobOnB.setStatus('Available')).toEqual({ ok: true, status: 'Available' });

    const expected = events.map((e) => e.message.message);
    expect(bobOnB.messages().map((m) => m.message)).toEqual(expected);
    await waitForCount(() => bobOnA.messages(), 100, 'the other tab missed held messages');
    expect(bobOnA.messages().map((m) => m.message)).toEqual(expected);
    const all = await waitForCount(() => aliceSocket.deliveries(), 200, 'no delivered after the flush');
    expect(all.slice(100).map((d) => d.messageId)).toEqual(events.map((e) => e.message._id));
    expect(new Set(all.slice(100).map((d) => d.state))).toEqual(new Set(['delivered']));
  });

  test('a message arriving after the switch to Available is pushed live after the held ones', async () => {
    const alice = newUser();
    const bob = newUser();
    const bobSocket = await clients.connect(urlB, { token: bob.token });
    const aliceSocket = await clients.connect(urlA, { token: alice.token });
    await bobSocket.setStatus('Busy');
    await cluster.publish(messageEvent(alice.userId, bob.userId, 'held'));
    await waitForCount(() => aliceSocket.deliveries(), 1, 'not deferred');

    await bobSocket.setStatus('Available');
    await cluster.publish(messageEvent(alice.userId, bob.userId, 'live'));

    await waitForCount(() => bobSocket.messages(), 2, 'Bob missed a message');
    expect(bobSocket.messages().map((m) => m.message)).toEqual(['held', 'live']);
    const redis = createRedis(testEnv().redisUrl, {
      prefix: REDIS_PREFIX,
      logger: createLogger({ service: 't', level: 'silent' }),
      name: 't',
    });
    try {
      expect((await readPresence(redis, [bob.userId])).get(bob.userId)).toEqual({
        online: true,
        status: 'Available',
        statusUntil: null,
      });
      expect(await redis.llen(redisKeys.held(bob.userId))).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});

describe('HTTP endpoints', () => {
  test('/healthz, /readyz and the realtime metrics answer', async () => {
    const health = await fetch(`${urlA}/healthz`);
    const ready = await fetch(`${urlB}/readyz`);
    const metrics = await (await fetch(`${urlA}/metrics`)).text();

    expect(health.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    expect(metrics).toContain('realtime_connected_sockets');
    expect(metrics).toMatch(/realtime_deliveries_total\{[^}]*outcome="(delivered|duplicate)"/);
    expect(metrics).toContain('realtime_delivery_lag_seconds_bucket');
  });
});
