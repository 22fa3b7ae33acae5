import { prefixed, redisKeys } from '@chat/shared/redis';
import type { HeldSummary, StatusChange } from '@chat/shared/sockets';
import { describe, expect, test } from 'vitest';
import { createHeldMessagesStore } from '../src/data-access/held-messages.store.js';
import { createStatusStore } from '../src/data-access/status.store.js';
import { releasePlan } from '../src/domain/delivery-rules.js';
import { type TestClient, waitForCount } from './support/clients.js';
import { openRedis, useRealtimeCluster } from './support/cluster.js';
import { messageEvent, newUser, startCluster } from './support/nodes.js';

const rt = useRealtimeCluster();
const { clients } = rt;

const summaries = (client: TestClient) => client.events<HeldSummary>('heldSummary');
const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

/** The order of the events of `kinds` this client received. */
const kindsOf = (client: TestClient, kinds: string[]) =>
  client.received.filter((r) => kinds.includes(r.event)).map((r) => r.event);

describe('setStatus {status: "Busy", until}', () => {
  test('at until the user comes back by itself, on the surviving node, once: summary first, then the held messages in order', async () => {
    const alice = newUser();
    const bob = newUser();
    const accepting = await rt.cluster.addNode();
    const bobOnAccepting = await clients.connect(accepting.url, { token: bob.token });
    const bobOnA = await clients.connect(rt.urlA, { token: bob.token });
    const aliceOnB = await clients.connect(rt.urlB, { token: alice.token });
    const until = inSeconds(2);
    expect(await bobOnAccepting.setStatus({ status: 'Busy', until })).toEqual({
      ok: true,
      status: 'Busy',
      statusUntil: until,
    });
    const base = Date.now();
    const held = [0, 1, 2].map((i) =>
      messageEvent(alice.userId, bob.userId, `held ${i}`, new Date(base + i)),
    );
    for (const event of [...held].reverse()) await rt.cluster.publish(event);
    await waitForCount(() => aliceOnB.deliveries(), 3, 'Alice never heard the messages were deferred');
    expect(bobOnA.messages()).toEqual([]);

    // The node that accepted the status dies before `until`: the clock is in Redis, not in that node.
    await accepting.app.kill();

    const [summary] = await waitForCount(() => summaries(bobOnA), 1, 'no heldSummary at until', 10_000);
    expect(summary).toEqual({ total: 3, dropped: 0, from: [{ userId: alice.userId, count: 3 }] });
    await waitForCount(() => bobOnA.messages(), 3, 'the held messages were not released');
    expect(bobOnA.messages().map((m) => m.message)).toEqual(['held 0', 'held 1', 'held 2']);
    expect(kindsOf(bobOnA, ['heldSummary', 'newMessage'])).toEqual([
      'heldSummary',
      'newMessage',
      'newMessage',
      'newMessage',
    ]);
    await waitForCount(() => aliceOnB.deliveries(), 6, 'Alice never heard they were delivered');
    expect(
      aliceOnB
        .deliveries()
        .filter((d) => d.state === 'delivered')
        .map((d) => d.messageId),
    ).toEqual(held.map((e) => e.message._id));
    const statuses = () => aliceOnB.events<StatusChange>('userStatus').filter((s) => s.userId === bob.userId);
    await waitForCount(statuses, 2, 'the switch back was not broadcast');
    expect(statuses().at(-1)).toEqual({ userId: bob.userId, status: 'Available', statusUntil: null });

    // Bob is Available now: a later message is pushed live, and only then do we count (nothing twice).
    await rt.cluster.publish(messageEvent(alice.userId, bob.userId, 'live'));
    await waitForCount(() => bobOnA.messages(), 4, 'the live message never came');
    expect(summaries(bobOnA)).toHaveLength(1);
    expect(bobOnA.messages().map((m) => m.message)).toEqual(['held 0', 'held 1', 'held 2', 'live']);
    expect(await rt.redis.zscore(redisKeys.statusUntil, bob.userId)).toBeNull();
  });

  test('setting the status again cancels the timer; the users list shows statusUntil meanwhile', async () => {
    const bob = newUser();
    const bobSocket = await clients.connect(rt.urlA, { token: bob.token });
    const until = inSeconds(3_600);

    await bobSocket.setStatus({ status: 'Busy', until });
    expect(Number(await rt.redis.zscore(redisKeys.statusUntil, bob.userId))).toBe(Date.parse(until));
    expect(await bobSocket.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    expect(await rt.redis.zscore(redisKeys.statusUntil, bob.userId)).toBeNull();

    await bobSocket.setStatus({ status: 'Busy', until });
    expect(await bobSocket.setStatus({ status: 'Available' })).toEqual({
      ok: true,
      status: 'Available',
      statusUntil: null,
    });
    expect(await rt.redis.zscore(redisKeys.statusUntil, bob.userId)).toBeNull();
    expect(await rt.redis.hget(redisKeys.status, bob.userId)).toBe('Available');
  });

  test.each([
    ['a past until', { status: 'Busy', until: new Date(Date.now() - 1_000).toISOString() }, 'INVALID_UNTIL'],
    ['an until beyond 7 days', { status: 'Busy', until: inSeconds(8 * 86_400) }, 'INVALID_UNTIL'],
    ['an until that is no time', { status: 'Busy', until: 'tomorrow' }, 'INVALID_STATUS'],
    ['until with Available', { status: 'Available', until: inSeconds(60) }, 'INVALID_STATUS'],
    ['an unknown key', { status: 'Busy', until: inSeconds(60), mood: 'grumpy' }, 'INVALID_STATUS'],
  ])('%s is refused and changes nothing', async (_label, input, code) => {
    const bob = newUser();
    const bobSocket = await clients.connect(rt.urlB, { token: bob.token });

    const ack = await bobSocket.setStatus(input);

    expect(ack).toMatchObject({ ok: false, code: `REALTIME.${code}`, error: expect.any(String) });
    expect(await rt.redis.hget(redisKeys.status, bob.userId)).toBeNull();
    expect(await rt.redis.zscore(redisKeys.statusUntil, bob.userId)).toBeNull();
  });
});

describe('the Busy-until claim', () => {
  test('of many nodes claiming a due user at once, exactly one switches them back', async () => {
    const bob = newUser();
    const connections = Array.from({ length: 6 }, (_, i) => openRedis(`claim-test-${i}`));
    try {
      const now = Date.now();
      await createStatusStore(rt.redis).setBusy(bob.userId, now - 1);
      const stores = connections.map((connection) => createHeldMessagesStore(connection, { limit: 10 }));

      const claims = await Promise.all(
        stores.map((store) => store.makeAvailable(bob.userId, releasePlan(bob.userId), { due: true, now })),
      );

      expect(claims.filter((claim) => claim !== null)).toEqual([{ wasBusy: true, createdAt: [] }]);
      expect(await rt.redis.hget(redisKeys.status, bob.userId)).toBe('Available');
    } finally {
      for (const connection of connections) connection.disconnect();
    }
  });

  test('a timer not yet due is not claimed', async () => {
    const bob = newUser();
    const now = Date.now();
    await createStatusStore(rt.redis).setBusy(bob.userId, now + 60_000);
    const store = createHeldMessagesStore(rt.redis, { limit: 10 });

    expect(await store.makeAvailable(bob.userId, releasePlan(bob.userId), { due: true, now })).toBeNull();
    expect(await rt.redis.hget(redisKeys.status, bob.userId)).toBe('Busy');
  });
});

describe('the hold', () => {
  test('messages held before the upgrade (the v1 list) are released too, in order with the new ones', async () => {
    const alice = newUser();
    const carol = newUser();
    const bob = newUser();
    const bobSocket = await clients.connect(rt.urlA, { token: bob.token });
    const aliceSocket = await clients.connect(rt.urlB, { token: alice.token });
    await bobSocket.setStatus('Busy');
    const base = Date.now();
    const legacy = messageEvent(carol.userId, bob.userId, 'from v1', new Date(base));
    await rt.redis.rpush(redisKeys.held(bob.userId), JSON.stringify(legacy), 'not json');
    const current = messageEvent(alice.userId, bob.userId, 'from v2', new Date(base + 1));
    await rt.cluster.publish(current);
    await waitForCount(() => aliceSocket.deliveries(), 1, 'not deferred');

    await bobSocket.setStatus('Available');

    await waitForCount(() => bobSocket.messages(), 2, 'not released');
    expect(bobSocket.messages()).toEqual([legacy.message, current.message]);
    expect(summaries(bobSocket)).toEqual([
      {
        total: 2,
        dropped: 0,
        from: [
          { userId: carol.userId, count: 1 },
          { userId: alice.userId, count: 1 },
        ],
      },
    ]);
    expect(await rt.redis.exists(redisKeys.held(bob.userId))).toBe(0);
  });

  test('at most HELD_LIMIT: 1,200 messages to a Busy user release the newest 1,000 in order with dropped 200', async () => {
    const limited = await startCluster(2, { HELD_LIMIT: '1000' });
    try {
      const [limitedA, limitedB] = limited.nodes.map((node) => node.url) as [string, string];
      const alice = newUser();
      const bob = newUser();
      const bobSocket = await clients.connect(limitedA, { token: bob.token });
      const aliceSocket = await clients.connect(limitedB, { token: alice.token });
      await bobSocket.setStatus('Busy');
      const base = Date.now() - 60_000;
      const events = Array.from({ length: 1_200 }, (_, i) =>
        messageEvent(alice.userId, bob.userId, `m${i}`, new Date(base + i)),
      );
      for (let i = 0; i < events.length; i += 100) {
        await Promise.all(events.slice(i, i + 100).map((event) => limited.publish(event)));
      }
      await waitForCount(() => aliceSocket.deliveries(), 1_200, 'not all deferred', 60_000);
      const keys = [redisKeys.heldMessages, redisKeys.heldOrder, redisKeys.heldDropped].map((k) =>
        k(bob.userId),
      );
      // MEMORY USAGE takes its key as a subcommand argument, which the client does not prefix.
      const bytes = await Promise.all(
        keys.map(async (key) => Number(await rt.redis.memory('USAGE', prefixed(rt.redis, key)))),
      );
      const total = bytes.reduce((sum, b) => sum + b, 0);

      await bobSocket.setStatus('Available');

      await waitForCount(() => bobSocket.messages(), 1_000, 'the hold was not released', 30_000);
      expect(bobSocket.messages().map((m) => m.message)).toEqual(
        events.slice(200).map((e) => e.message.message),
      );
      expect(summaries(bobSocket)).toEqual([
        { total: 1_000, dropped: 200, from: [{ userId: alice.userId, count: 1_000 }] },
      ]);
      console.log(
        `[held-limit] 1,000 held (text ~4 B): ${keys.map((k, i) => `${k.split(':')[1]} ${bytes[i]} B`).join(', ')}; ` +
          `total ${total} B, ${Math.round(total / 1_000)} B per held message`,
      );
      expect(await rt.redis.exists(...keys)).toBe(0);
    } finally {
      await limited.close();
    }
  }, 120_000);
});
