import { brokerNames, deadLetterQueueOf, QUEUES } from '@chat/shared/events';
import { fakeMessageCreatedEvent, publishRaw, testEnv } from '@chat/shared/testing';
import { onDefaultShapeOnly } from '@chat/stack';
import amqplib from 'amqplib';
import { MongoClient } from 'mongodb';
import { describe, expect, test } from 'vitest';
import { check } from '../src/checker.js';
import { STATE_EVENTS } from '../src/event-checker.js';
import { runLoad, type SendRecord } from '../src/load.js';
import { report } from '../src/report.js';
import {
  allEventsArrived,
  counts,
  deletedIds,
  errorSample,
  expectClean,
  mutator,
  useFaultStack,
  waitFor,
} from './support.js';

const run = useFaultStack();

/**
 * Resolves when every acknowledged send has reached a recipient socket (but those in `skip`: deleted
 * meanwhile, they may never be pushed); returns the last arrival time.
 */
async function allPushed(sends: SendRecord[], timeoutMs: number, skip = new Set<string>()): Promise<number> {
  const ids = sends.flatMap((s) =>
    s.outcome === 'ok' && s.message && !skip.has(s.message._id) ? [s.message._id] : [],
  );
  let last = 0;
  await waitFor(
    () => {
      const arrived = new Map(
        run.clients.flatMap((c) => c.received.map((r) => [r.message._id, r.at] as const)),
      );
      if (!ids.every((id) => arrived.has(id))) return false;
      last = Math.max(...ids.map((id) => arrived.get(id) ?? 0));
      return true;
    },
    {
      timeoutMs,
      intervalMs: 100,
      message: `not every acknowledged message was pushed within ${timeoutMs} ms`,
    },
  );
  return last;
}

describe('scenario 1: RabbitMQ cut for 10 s during 1,000 sends at 50/s, with reads, edits and deletes', () => {
  test('every 201 is stored once, published within 30 s of recovery, and pushed once to every recipient; every read, edit and delete reaches both parties once', async () => {
    const pairs = await run.usersAndSockets('bc', 10, true);
    const mutations = mutator(run.stack.url);
    let restoredAt = 0;
    let restored = Promise.resolve();
    const sends = await runLoad({
      baseUrl: run.stack.url,
      pairs,
      total: 1000,
      perSecond: 50,
      onResult: mutations.onResult,
      onSend: (i) => {
        // Two rounds of reads, edits and deletes while the broker is away (it is cut from 0.5 s to 10.5 s).
        if (i === 200 || i === 400) mutations.mutateAll();
        if (i !== 25) return;
        run.stack.proxies.amqp.cut();
        restored = new Promise((resolve) =>
          setTimeout(() => {
            run.stack.proxies.amqp.restore();
            restoredAt = Date.now();
            resolve();
          }, 10_000),
        );
      },
    });
    await restored;
    const mutated = await mutations.done();
    const lastPush = await allPushed(sends, 30_000, deletedIds(mutated));
    await allEventsArrived(mutated, run.clients, 30_000);
    const firstAfter = Math.min(
      ...run.clients.flatMap((c) => c.received.filter((r) => r.at >= restoredAt).map((r) => r.at)),
    );

    const verdict = await check({ baseUrl: run.stack.url, sends, clients: run.clients, mutations: mutated });
    report('1-broker-cut', {
      ...counts(verdict),
      cutMs: 10_000,
      firstPushAfterRestoreMs: firstAfter - restoredAt,
      allPushedAfterRestoreMs: lastPush - restoredAt,
      mutations: mutated.length,
      errors: errorSample([...sends, ...mutated]),
    });
    expectClean(verdict, run.stack);
    expect(verdict.acknowledged).toBe(1000);
    expect(mutated.filter((m) => m.outcome !== 'ok')).toEqual([]);
    for (const kind of STATE_EVENTS) expect(verdict.byKind[kind]?.expected, kind).toBeGreaterThan(0);
    expect(verdict.delivered).toBe(1000);
  });
});

onDefaultShapeOnly(() => {
  describe('scenario 2: the messages service SIGKILLed after storing, before publishing', () => {
    test('after a restart every stored message is published, and none is left unpublished', async () => {
      const pairs = await run.usersAndSockets('mk', 5);
      run.stack.proxies.amqp.cut();
      const sends = await runLoad({ baseUrl: run.stack.url, pairs, total: 50, perSecond: 50 });
      await run.stack.kill('messages');
      run.stack.proxies.amqp.restore();
      const restartAt = Date.now();
      await run.stack.restart('messages');
      const lastPush = await allPushed(sends, 30_000);

      const mongo = new MongoClient(run.stack.proxies.mongo.urlFor(testEnv().mongoUrl));
      let unpublished: number;
      try {
        const db = mongo.db(`test-faults-${run.stack.id}-messages`);
        unpublished = await db.collection('messages').countDocuments({ publishedAt: null });
      } finally {
        await mongo.close();
      }
      const verdict = await check({ baseUrl: run.stack.url, sends, clients: run.clients });
      report('2-messages-killed', {
        ...counts(verdict),
        unpublishedAfter: unpublished,
        allPushedAfterRestartMs: lastPush - restartAt,
      });
      expectClean(verdict, run.stack);
      expect(verdict.acknowledged).toBe(50);
      expect(verdict.delivered).toBe(50);
      expect(unpublished).toBe(0);
    });
  });
});

onDefaultShapeOnly(() => {
  describe('scenario 4: poison events on the realtime queue', () => {
    test('are dead-lettered while the valid events around them keep flowing', async () => {
      const pairs = await run.usersAndSockets('po', 5);
      const amqpUrl = run.stack.proxies.amqp.urlFor(testEnv().amqpUrl);
      const poison = [
        Buffer.from('{ not json'),
        { eventId: 'nope', message: { _id: 'x' } },
        fakeMessageCreatedEvent({ message: { receiverId: 'not-an-object-id' } }),
        fakeMessageCreatedEvent({ message: { message: 'x'.repeat(3_000_000) } }),
      ];
      const sends = await runLoad({
        baseUrl: run.stack.url,
        pairs,
        total: 100,
        perSecond: 50,
        onSend: async (i) => {
          const body = poison[i / 25];
          if (i % 25 === 0 && body) {
            await publishRaw(amqpUrl, 'message.created', body, {
              namespace: run.stack.namespace,
              messageId: `poison-${i}`,
            });
          }
        },
      });
      await allPushed(sends, 15_000);
      const dlq = deadLetterQueueOf(brokerNames(run.stack.namespace).queue(QUEUES.realtimeMessageCreated));
      const connection = await amqplib.connect(amqpUrl);
      let deadLetters = 0;
      try {
        const channel = await connection.createChannel();
        await waitFor(
          async () => {
            deadLetters = (await channel.checkQueue(dlq)).messageCount;
            return deadLetters >= poison.length;
          },
          {
            timeoutMs: 10_000,
            message: `the DLQ ${dlq} should hold the ${poison.length} poison events`,
          },
        );
      } finally {
        await connection.close();
      }
      const verdict = await check({ baseUrl: run.stack.url, sends, clients: run.clients });
      report('4-poison', { ...counts(verdict), poisonPublished: poison.length, deadLettered: deadLetters });
      expectClean(verdict, run.stack);
      expect(verdict.delivered).toBe(100);
      expect(deadLetters).toBe(poison.length);
    });
  });
});
