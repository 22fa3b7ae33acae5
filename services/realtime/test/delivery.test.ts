import { prefixed, readPresence, redisKeys } from '@chat/shared/redis';
import { describe, expect, test } from 'vitest';
import { waitForCount } from './support/clients.js';
import { openRedis, useRealtimeCluster } from './support/cluster.js';
import { messageEvent, newUser } from './support/nodes.js';

const rt = useRealtimeCluster();
const { clients } = rt;

describe('message.created delivery', () => {
  test('reaches the recipient on the other node exactly once, and the sender gets delivered', async () => {
    const [alice, bob, carol] = await rt.connectUsers('A', 'B', 'A');
    const event = messageEvent(alice.userId, bob.userId, 'hi Bob');

    await rt.cluster.publish(event);

    await waitForCount(() => bob.socket.messages(), 1, 'Bob never got the message');
    await waitForCount(() => alice.socket.deliveries(), 1, 'Alice never got delivered');
    expect(alice.socket.deliveries()).toEqual([{ messageId: event.message._id, state: 'delivered' }]);
    // Room isolation: a later message to Carol is the only thing Carol ever receives.
    await rt.cluster.publish(messageEvent(alice.userId, carol.userId, 'marker'));
    await waitForCount(() => carol.socket.messages(), 1, 'Carol never got her own message');
    expect(carol.socket.messages().map((m) => m.message)).toEqual(['marker']);
    expect(bob.socket.messages()).toEqual([event.message]);
    expect(alice.socket.messages()).toEqual([]);
  });

  test('a user with sockets on both nodes gets each message on every socket, once each', async () => {
    const alice = newUser();
    const bob = newUser();
    const bobTabs = [
      await clients.connect(rt.urlA, { token: bob.token }),
      await clients.connect(rt.urlB, { token: bob.token }),
      await clients.connect(rt.urlB, { token: bob.token }),
    ];
    const events = [1, 2, 3].map((n) => messageEvent(alice.userId, bob.userId, `m${n}`));

    for (const event of events) await rt.cluster.publish(event);

    for (const tab of bobTabs) await waitForCount(() => tab.messages(), 3, 'a tab missed messages');
    // A final marker proves nothing else was still on its way.
    await rt.cluster.publish(messageEvent(alice.userId, bob.userId, 'marker'));
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

  test('an emit goes only to the nodes holding a socket of its addressees', async () => {
    const [alice, bob] = await rt.connectUsers('A', 'A');
    const [nodeA, nodeB] = rt.cluster.nodes;
    if (!nodeA || !nodeB) throw new Error('the cluster has two nodes');
    const listener = openRedis('realtime-test-node-channels');
    const heard = new Map<string, string[]>();
    listener.on('message', (channel: string, payload: string) => {
      heard.set(channel, [...(heard.get(channel) ?? []), payload]);
    });
    const channelA = prefixed(listener, redisKeys.userEventsChannel(nodeA.nodeId));
    const channelB = prefixed(listener, redisKeys.userEventsChannel(nodeB.nodeId));
    const marker = 'nothing before this';
    try {
      await listener.subscribe(channelA, channelB);
      const event = messageEvent(alice.userId, bob.userId, 'both on A');

      await rt.cluster.publish(event);

      await waitForCount(() => bob.socket.messages(), 1, 'Bob never got the message');
      await waitForCount(() => alice.socket.deliveries(), 1, 'Alice never got delivered');
      // A channel delivers in publish order: once this marker is back, anything published on B before it is too.
      await rt.redis.publish(channelB, marker);
      await waitForCount(() => heard.get(channelB) ?? [], 1, 'the marker never came back');
      expect(heard.get(channelB)).toEqual([marker]);
      const onA = (heard.get(channelA) ?? []).map((payload) => JSON.parse(payload).event);
      expect(onA.sort()).toEqual(['messageDelivery', 'newMessage']);
    } finally {
      listener.disconnect();
    }
  });

  test('a redelivered event (same message id twice) reaches the socket once', async () => {
    const [bob, alice] = await rt.connectUsers('B', 'A');
    const event = messageEvent(alice.userId, bob.userId, 'once');

    await rt.cluster.publish(event);
    await rt.cluster.publish({ ...event, eventId: crypto.randomUUID() });
    await rt.cluster.publish(messageEvent(alice.userId, bob.userId, 'marker'));

    await waitForCount(() => bob.socket.messages(), 2, 'Bob never got the marker');
    await waitForCount(() => alice.socket.deliveries(), 2, 'Alice never got both deliveries');
    expect(bob.socket.messages().filter((m) => m._id === event.message._id)).toHaveLength(1);
    expect(alice.socket.deliveries().filter((d) => d.messageId === event.message._id)).toHaveLength(1);
  });

  test('an offline recipient gets nothing live and the sender no delivery state', async () => {
    const alice = newUser();
    const offline = newUser();
    const aliceSocket = await clients.connect(rt.urlA, { token: alice.token });
    const dropped = messageEvent(alice.userId, offline.userId, 'nobody home');

    await rt.cluster.publish(dropped);
    await rt.cluster.publish(messageEvent(offline.userId, alice.userId, 'marker'));

    await waitForCount(() => aliceSocket.messages(), 1, 'Alice never got the marker');
    expect(aliceSocket.deliveries()).toEqual([]);
    const late = await clients.connect(rt.urlB, { token: offline.token });
    await waitForCount(() => late.onlineLists(), 1, 'no initial online list');
    expect(late.messages()).toEqual([]);
  });
});

describe('Busy recipients', () => {
  test('get nothing live; held messages arrive in order after Available, then delivered', async () => {
    const alice = newUser();
    const bob = newUser();
    const aliceSocket = await clients.connect(rt.urlA, { token: alice.token });
    const bobOnA = await clients.connect(rt.urlA, { token: bob.token });
    const bobOnB = await clients.connect(rt.urlB, { token: bob.token });
    expect(await bobOnA.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    const base = Date.now();
    const events = Array.from({ length: 100 }, (_, i) =>
      messageEvent(alice.userId, bob.userId, `held ${i}`, new Date(base + i)),
    );

    await Promise.all(events.map((event) => rt.cluster.publish(event)));

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
    const [bob, alice] = await rt.connectUsers('B', 'A');
    await bob.socket.setStatus('Busy');
    await rt.cluster.publish(messageEvent(alice.userId, bob.userId, 'held'));
    await waitForCount(() => alice.socket.deliveries(), 1, 'not deferred');

    await bob.socket.setStatus('Available');
    await rt.cluster.publish(messageEvent(alice.userId, bob.userId, 'live'));

    await waitForCount(() => bob.socket.messages(), 2, 'Bob missed a message');
    expect(bob.socket.messages().map((m) => m.message)).toEqual(['held', 'live']);
    expect((await readPresence(rt.redis, [bob.userId])).get(bob.userId)).toEqual({
      online: true,
      status: 'Available',
      statusUntil: null,
    });
    expect(await rt.redis.llen(redisKeys.held(bob.userId))).toBe(0);
  });
});

describe('HTTP endpoints', () => {
  test('/healthz, /readyz and the realtime metrics answer', async () => {
    const health = await fetch(`${rt.urlA}/healthz`);
    const ready = await fetch(`${rt.urlB}/readyz`);
    const metrics = await (await fetch(`${rt.urlA}/metrics`)).text();

    expect(health.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    expect(metrics).toContain('realtime_connected_sockets');
    expect(metrics).toMatch(/realtime_deliveries_total\{[^}]*outcome="(delivered|duplicate)"/);
    expect(metrics).toContain('realtime_delivery_lag_seconds_bucket');
  });
});
