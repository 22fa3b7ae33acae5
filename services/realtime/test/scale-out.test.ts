import { brokerNames, QUEUES, shardQueueOf } from '@chat/shared/events';
import { createLogger } from '@chat/shared/logger';
import { createRedis } from '@chat/shared/redis';
import { testEnv } from '@chat/shared/testing';
import amqplib from 'amqplib';
import { describe, expect, test } from 'vitest';
import { type TestClient, waitForCount } from './support/clients.js';
import { useRealtimeCluster } from './support/cluster.js';
import { messageEvent, newUser } from './support/nodes.js';

// The settings for many nodes: message.created split over four queues by recipient, and the Socket.IO
// adapter on Redis 7 sharded pub/sub (a channel per room; it works on a single Redis as on a cluster).
const rt = useRealtimeCluster({ DELIVERY_QUEUES: '4', REDIS_ADAPTER: 'sharded' });
const { clients } = rt;

describe('four delivery queues and the sharded adapter', () => {
  test('every node consumes every delivery queue', async () => {
    const connection = await amqplib.connect(testEnv().amqpUrl);
    try {
      const channel = await connection.createChannel();
      const names = brokerNames(rt.cluster.namespace);
      for (let k = 0; k < 4; k++) {
        const queue = names.queue(shardQueueOf(QUEUES.realtimeMessageCreated, k));
        expect((await channel.checkQueue(queue)).consumerCount, queue).toBe(2);
      }
    } finally {
      await connection.close();
    }
  });

  test('messages to many recipients, each on the other node from its sender, arrive once each', async () => {
    const pairs = Array.from({ length: 8 }, () => ({ sender: newUser(), recipient: newUser() }));
    const sockets: Array<{ sender: TestClient; recipient: TestClient }> = [];
    for (const [i, { sender, recipient }] of pairs.entries()) {
      sockets.push({
        sender: await clients.connect(i % 2 ? rt.urlA : rt.urlB, { token: sender.token }),
        recipient: await clients.connect(i % 2 ? rt.urlB : rt.urlA, { token: recipient.token }),
      });
    }
    const sent = pairs.map(({ sender, recipient }) =>
      [1, 2, 3].map((n) => messageEvent(sender.userId, recipient.userId, `m${n}`)),
    );

    for (const events of sent) for (const event of events) await rt.cluster.publish(event);

    for (const [i, events] of sent.entries()) {
      const { sender, recipient } = sockets[i] ?? {};
      if (!sender || !recipient) throw new Error('missing sockets');
      const got = await waitForCount(() => recipient.messages(), 3, `recipient ${i} missed messages`);
      expect(got.map((m) => m._id).sort()).toEqual(events.map((e) => e.message._id).sort());
      const delivered = await waitForCount(() => sender.deliveries(), 3, `sender ${i} missed deliveries`);
      expect(new Set(delivered.map((d) => d.state))).toEqual(new Set(['delivered']));
    }
    // A last marker per recipient proves nothing else (a duplicate) was on its way.
    for (const [i, { sender, recipient }] of pairs.entries()) {
      await rt.cluster.publish(messageEvent(sender.userId, recipient.userId, 'marker'));
      const got = await waitForCount(() => sockets[i]?.recipient.messages() ?? [], 4, 'no marker');
      expect(got.map((m) => m.message).sort()).toEqual(['m1', 'm2', 'm3', 'marker']);
    }
  });

  test("a user's sockets on both nodes each get a message once, and a status change reaches the other node", async () => {
    const alice = newUser();
    const bob = newUser();
    const watcher = await clients.connect(rt.urlB, { token: alice.token });
    const tabs = [
      await clients.connect(rt.urlA, { token: bob.token }),
      await clients.connect(rt.urlB, { token: bob.token }),
    ];
    const event = messageEvent(alice.userId, bob.userId, 'to both tabs');

    await rt.cluster.publish(event);

    for (const tab of tabs) {
      const got = await waitForCount(() => tab.messages(), 1, 'a tab missed the message');
      expect(got.map((m) => m._id)).toEqual([event.message._id]);
    }
    // The user's room has its own sharded channel (SSUBSCRIBE), not the one channel of the classic adapter.
    const logger = createLogger({ service: 'realtime-test', level: 'silent' });
    const redis = createRedis(testEnv().redisUrl, { logger, name: 'test-shard-channels' });
    try {
      const channels = (await redis.call('PUBSUB', 'SHARDCHANNELS', `*${bob.userId}*`)) as string[];
      expect(channels.length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
    expect(await tabs[0]?.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    await waitForCount(() => watcher.statuses(bob.userId), 1, 'the other node never saw the status');
    expect(watcher.statuses(bob.userId)).toEqual(['Busy']);
  });

  test('held messages for a Busy user arrive in order on every tab after Available', async () => {
    const alice = newUser();
    const bob = newUser();
    const bobOnA = await clients.connect(rt.urlA, { token: bob.token });
    const bobOnB = await clients.connect(rt.urlB, { token: bob.token });
    expect(await bobOnA.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    const base = Date.now();
    const events = Array.from({ length: 20 }, (_, i) =>
      messageEvent(alice.userId, bob.userId, `held ${i}`, new Date(base + i)),
    );
    const sender = await clients.connect(rt.urlB, { token: alice.token });

    await Promise.all(events.map((event) => rt.cluster.publish(event)));
    await waitForCount(() => sender.deliveries(), 20, 'not every message deferred');
    expect(await bobOnB.setStatus('Available')).toEqual({ ok: true, status: 'Available' });

    const expected = events.map((e) => e.message.message);
    for (const tab of [bobOnA, bobOnB]) {
      const got = await waitForCount(() => tab.messages(), 20, 'a tab missed held messages');
      expect(got.map((m) => m.message)).toEqual(expected);
    }
  });
});
