import { brokerNames, QUEUES, shardQueueOf } from '@chat/shared/events';
import { redisKeys } from '@chat/shared/redis';
import { testEnv } from '@chat/shared/testing';
import { onDefaultShapeOnly } from '@chat/stack';
import amqplib from 'amqplib';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ChatClient } from '../src/chat-client.js';
import { check } from '../src/checker.js';
import type { User } from '../src/clients.js';
import { STATE_EVENTS } from '../src/event-checker.js';
import { runLoad, type SendRecord } from '../src/load.js';
import { report } from '../src/report.js';
import {
  allEventsArrived,
  connectAll,
  counts,
  deletedIds,
  errorSample,
  expectClean,
  mutator,
  pairsOf,
  signUpMany,
  sleep,
  useFaultStack,
  waitFor,
} from './support.js';

const run = useFaultStack();
let redis: Redis;

beforeAll(() => {
  redis = new Redis(testEnv().redisUrl, { keyPrefix: run.stack.env.REDIS_PREFIX ?? '' });
});

afterAll(() => {
  redis?.disconnect();
});

/** Ids of the users holding a socket on realtime node `name`, from that node's presence hash. */
async function usersOn(name: string): Promise<Set<string>> {
  const nodeId = run.stack.stack.service(name).spec.env.NODE_ID ?? '';
  return new Set(Object.keys(await redis.hgetall(redisKeys.presenceNode(nodeId))));
}

async function allPushed(
  sends: SendRecord[],
  among: ChatClient[],
  timeoutMs: number,
  skip = new Set<string>(),
): Promise<number> {
  const ids = sends.flatMap((s) =>
    s.outcome === 'ok' &&
    s.message &&
    !skip.has(s.message._id) &&
    among.some((c) => c.user._id === s.receiver._id)
      ? [s.message._id]
      : [],
  );
  let last = 0;
  await waitFor(
    () => {
      const arrived = new Map(among.flatMap((c) => c.received.map((r) => [r.message._id, r.at] as const)));
      if (!ids.every((id) => arrived.has(id))) return false;
      last = Math.max(0, ...ids.map((id) => arrived.get(id) ?? 0));
      return true;
    },
    { timeoutMs, intervalMs: 100 },
  ).catch(() => undefined);
  return last;
}

onDefaultShapeOnly(() => {
  describe('scenario 7: recipients flip Available/Busy while messages flow', () => {
    test('only Available recipients get live pushes; Busy ones get every held message, in order, on switching back', async () => {
      const senders = await signUpMany(run.stack.url, 'sfs', 6);
      const receivers = await signUpMany(run.stack.url, 'sfr', 6);
      const senderClients = await connectAll(run.stack.url, senders);
      run.clients = await connectAll(run.stack.url, receivers);
      let running = true;
      const flipper = async (client: ChatClient) => {
        while (running) {
          await sleep(150 + Math.random() * 350);
          await client.setStatus(client.status === 'Available' ? 'Busy' : 'Available');
        }
        await client.setStatus('Available');
      };
      const flipping = Promise.all(run.clients.map(flipper));
      const sends = await runLoad({
        baseUrl: run.stack.url,
        pairs: pairsOf(senders, receivers),
        total: 240,
        perSecond: 40,
      });
      running = false;
      await flipping;
      await allPushed(sends, run.clients, 15_000);
      const deferred = new Set(
        senderClients.flatMap((c) =>
          c.deliveries.filter((d) => d.state === 'deferred').map((d) => d.messageId),
        ),
      );
      for (const client of senderClients) client.close();

      // A push may follow the Busy ack only for a message decided before it (created before the ack).
      const pushedWhileBusy: string[] = [];
      let decidedBeforeSwitch = 0;
      const heldOutOfOrder: string[] = [];
      for (const client of run.clients) {
        const log = client.statusLog.filter((s) => s.ok);
        log.forEach((entry, i) => {
          if (entry.status !== 'Busy') return;
          const until = log[i + 1]?.emitSeq ?? Number.POSITIVE_INFINITY;
          for (const r of client.received.filter((x) => x.seq > entry.ackSeq && x.seq < until)) {
            if (Date.parse(r.message.createdAt) >= entry.ackAt)
              pushedWhileBusy.push(`${client.key}: ${r.message._id}`);
            else decidedBeforeSwitch++;
          }
        });
        const held = client.received
          .filter((r) => deferred.has(r.message._id))
          .map((r) => `${r.message.createdAt}|${r.message._id}`);
        // The arrival order itself, so a failure shows which messages swapped.
        if (held.join() !== [...held].sort().join()) heldOutOfOrder.push(`${client.key}: ${held.join(' ')}`);
      }
      const busyPeriods = run.clients.reduce(
        (n, c) => n + c.statusLog.filter((s) => s.ok && s.status === 'Busy').length,
        0,
      );
      const verdict = await check({ baseUrl: run.stack.url, sends, clients: run.clients });
      report('7-status-flips', {
        ...counts(verdict),
        busyPeriods,
        heldThenFlushed: deferred.size,
        decidedBeforeSwitch,
        pushedWhileBusy: pushedWhileBusy.length,
        heldOutOfOrder: heldOutOfOrder.length,
      });
      expectClean(verdict, run.stack);
      expect(pushedWhileBusy).toEqual([]);
      expect(heldOutOfOrder).toEqual([]);
      expect(deferred.size).toBeGreaterThan(0);
      expect(verdict.delivered).toBe(240);
    });
  });
});

onDefaultShapeOnly(() => {
  describe('scenario 5: Redis cut for 10 s with sockets on both realtime nodes', () => {
    test('no process crashes, delivery resumes within 5 s, and messages sent meanwhile are not lost', async () => {
      const pairs = await run.usersAndSockets('rc', 100);
      const [onOne, onTwo] = [await usersOn('realtime-1'), await usersOn('realtime-2')];
      expect(onOne.size).toBeGreaterThan(0);
      expect(onTwo.size).toBeGreaterThan(0);
      // Events stored before the cut reach the realtime nodes while Redis is down.
      run.stack.proxies.amqp.cut();
      const before = await runLoad({ baseUrl: run.stack.url, pairs, total: 40, perSecond: 40 });
      run.stack.proxies.redis.cut();
      const cutAt = Date.now();
      run.stack.proxies.amqp.restore();
      let restoredAt = 0;
      // Sends during the cut: the gateway fails closed (503) and the client retries with its key.
      const during = runLoad({
        baseUrl: run.stack.url,
        pairs,
        total: 40,
        perSecond: 5,
      });
      await sleep(10_000 - (Date.now() - cutAt));
      run.stack.proxies.redis.restore();
      restoredAt = Date.now();
      const sends = [...before, ...(await during)];
      const lastPush = await allPushed(sends, run.clients, 20_000);
      const firstPush = Math.min(
        ...run.clients.flatMap((c) => c.received.filter((r) => r.at >= restoredAt).map((r) => r.at)),
      );
      const disconnects = run.clients.reduce((n, c) => n + c.disconnectedAt.length, 0);
      const verdict = await check({ baseUrl: run.stack.url, sends, clients: run.clients });
      report('5-redis-cut', {
        ...counts(verdict),
        cutMs: restoredAt - cutAt,
        socketsOnNodes: [onOne.size, onTwo.size],
        socketDisconnects: disconnects,
        firstPushAfterRestoreMs: firstPush - restoredAt,
        allPushedAfterRestoreMs: lastPush - restoredAt,
        sendsRetriedDuringCut: sends.filter((s) => s.errors.length > 0).length,
      });
      expectClean(verdict, run.stack);
      expect(verdict.delivered).toBe(80);
      expect(firstPush - restoredAt).toBeLessThan(5_000);
    });
  });
});

describe('scenario 3: a realtime node SIGKILLed with deliveries, reads, edits and deletes in flight', () => {
  test('the queues drain on the other node, no socket gets a message or event twice, connected ones miss none, clients reconnect within 10 s', async () => {
    const pairs = await run.usersAndSockets('rk', 20, true);
    const onKilled = await usersOn('realtime-1');
    expect(onKilled.size).toBeGreaterThan(0);
    expect(onKilled.size).toBeLessThan(run.clients.length);
    // A backlog: the relay holds 500 sends and their reads, edits and deletes while the broker is away,
    // then both nodes consume them at once.
    run.stack.proxies.amqp.cut();
    const mutations = mutator(run.stack.url);
    const sends = await runLoad({
      baseUrl: run.stack.url,
      pairs,
      total: 500,
      perSecond: 100,
      onResult: mutations.onResult,
    });
    mutations.mutateAll();
    const mutated = await mutations.done();
    run.stack.proxies.amqp.restore();
    await waitFor(() => run.clients.some((c) => c.received.length > 0), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    const killedAt = Date.now();
    await run.stack.kill('realtime-1');
    const moved = run.clients.filter((c) => onKilled.has(c.user._id));
    const stayed = run.clients.filter((c) => !onKilled.has(c.user._id));
    await waitFor(() => moved.every((c) => c.connectedAt.some((t) => t > killedAt)), {
      timeoutMs: 10_000,
      message: "the killed node's clients did not reconnect within 10 s",
    });
    const reconnectMs = Math.max(
      ...moved.map((c) => (c.connectedAt.find((t) => t > killedAt) ?? 0) - killedAt),
    );
    await allPushed(sends, stayed, 20_000, deletedIds(mutated));
    await allEventsArrived(mutated, stayed, 20_000);
    const left = await queuesLeft();
    // The moved clients were offline for a moment: what they missed live, they read from the history.
    const verdict = await check({
      baseUrl: run.stack.url,
      sends,
      clients: run.clients,
      liveRequired: (send, client) => client.user._id === send.receiver._id && !onKilled.has(client.user._id),
      mutations: mutated,
      eventRequired: (_, client) => !onKilled.has(client.user._id),
    });
    report('3-realtime-killed', {
      ...counts(verdict),
      socketsOnKilledNode: moved.length,
      socketsOnSurvivor: stayed.length,
      pushedBeforeKill: run.clients.reduce((n, c) => n + c.received.filter((r) => r.at < killedAt).length, 0),
      reconnectMs,
      mutations: mutated.length,
      queueLeft: left,
      errors: errorSample([...sends, ...mutated]),
    });
    expectClean(verdict, run.stack);
    expect(verdict.stored).toBe(500);
    expect(mutated.filter((m) => m.outcome !== 'ok')).toEqual([]);
    for (const kind of STATE_EVENTS) expect(verdict.byKind[kind]?.expected, kind).toBeGreaterThan(0);
    expect(left).toBe(0);
  });
});

/** Waits until the realtime queues of every kind of event are empty; answers what they still hold. */
async function queuesLeft(): Promise<number> {
  const names = brokerNames(run.stack.namespace);
  // The one delivery queue, or its shards when the stack splits message.created (DELIVERY_QUEUES).
  const shards = Number(run.stack.env.DELIVERY_QUEUES ?? '1');
  const delivery =
    shards > 1
      ? Array.from({ length: shards }, (_, k) => shardQueueOf(QUEUES.realtimeMessageCreated, k))
      : [QUEUES.realtimeMessageCreated];
  const queues = [
    ...delivery,
    QUEUES.realtimeMessageUpdated,
    QUEUES.realtimeMessageDeleted,
    QUEUES.realtimeConversationRead,
  ].map((q) => names.queue(q));
  const connection = await amqplib.connect(run.stack.proxies.amqp.urlFor(testEnv().amqpUrl));
  let left = -1;
  try {
    const channel = await connection.createChannel();
    await waitFor(
      async () => {
        left = 0;
        for (const queue of queues) left += (await channel.checkQueue(queue)).messageCount;
        return left === 0;
      },
      { timeoutMs: 10_000 },
    ).catch(() => undefined);
  } finally {
    await connection.close();
  }
  return left;
}

export type { User };
