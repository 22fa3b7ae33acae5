import { brokerNames, eventSchemas, isRoutingKey, messageCreatedEvent } from '@chat/shared/events';
import {
  collectEvents,
  type EventCollector,
  startTcpProxy,
  type TcpProxy,
  testEnv,
  waitFor,
} from '@chat/shared/testing';
import amqplib from 'amqplib';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deleteOk, editOk, readOk } from './api-client.js';
import { type MessageReply, registerUsers, sendOk, startTestApp, type TestApp } from './support.js';

let proxy: TcpProxy;
let t: TestApp;
let events: EventCollector<'message.created'>;

async function sendMany(from: string, to: string, count: number, offset: number): Promise<MessageReply[]> {
  const replies: MessageReply[] = [];
  // 10 in flight at a time: concurrent like real clients, without swamping a 2-core machine.
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) =>
      sendOk(t, from, to, `n${offset + i + j}`),
    );
    replies.push(...(await Promise.all(batch)));
  }
  return replies;
}

/** Every event on the exchange, in arrival order, validated by its routing key's schema. */
async function recordAllEvents() {
  const connection = await amqplib.connect(testEnv().amqpUrl);
  const channel = await connection.createChannel();
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, brokerNames(t.namespace).exchange, '#');
  const seen: Array<{ routingKey: string; event: Record<string, unknown> }> = [];
  await channel.consume(
    queue,
    (msg) => {
      const key = msg?.fields.routingKey ?? '';
      if (!msg || !isRoutingKey(key)) return;
      const parsed = eventSchemas[key].safeParse(JSON.parse(msg.content.toString('utf8')));
      if (parsed.success) seen.push({ routingKey: key, event: parsed.data });
    },
    { noAck: true },
  );
  return { seen, close: () => connection.close() };
}

beforeAll(async () => {
  const amqp = new URL(testEnv().amqpUrl);
  proxy = await startTcpProxy(amqp.hostname, Number(amqp.port || 5672));
  amqp.host = `127.0.0.1:${proxy.port}`;
  t = await startTestApp({
    amqpUrl: amqp.toString(),
    overrides: { outbox: { retryBaseMs: 200, maxBackoffMs: 2_000 } },
  });
  events = await collectEvents(testEnv().amqpUrl, 'message.created', { namespace: t.namespace });
});

afterAll(async () => {
  await events?.close();
  proxy?.restore();
  await t?.close();
  await proxy?.close();
});

describe('message.created through the outbox', () => {
  test('with the broker cut during 200 sends, all are stored and exactly 200 distinct events arrive after it is back', async () => {
    const [alice, bob] = await registerUsers(t, 2);
    if (!alice || !bob) throw new Error('fixtures');
    await waitFor(async () => (await fetch(`${t.url}/readyz`)).status === 200, { message: 'never ready' });

    const before = await sendMany(alice, bob, 50, 0);
    proxy.cut();
    await waitFor(async () => (await fetch(`${t.url}/readyz`)).status === 503, {
      message: 'still ready after cut',
    });
    const during = await sendMany(alice, bob, 150, 50);
    const sent = [...before, ...during];
    expect(new Set(sent.map((m) => m._id)).size).toBe(200);

    const messages = t.db.collection('messages');
    const sender = new ObjectId(alice);
    expect(await messages.countDocuments({ senderId: sender })).toBe(200);
    expect(await messages.countDocuments({ senderId: sender, publishedAt: null })).toBeGreaterThanOrEqual(
      150,
    );

    proxy.restore();
    const mine = () => events.events.filter((e) => e.message.senderId === alice);
    await waitFor(() => new Set(mine().map((e) => e.message._id)).size >= 200, {
      timeoutMs: 30_000,
      message: 'not every message.created event arrived after the broker came back',
    });
    const received = mine().map((e) => messageCreatedEvent.parse(e));
    expect(new Set(received.map((e) => e.message._id))).toEqual(new Set(sent.map((m) => m._id)));
    // Duplicates (a confirm lost in the cut) are allowed only as exact repeats of the same event.
    const byId = new Map(received.map((e) => [e.message._id, e]));
    for (const e of received) expect(e).toEqual(byId.get(e.message._id));
    await waitFor(async () => (await messages.countDocuments({ senderId: sender, publishedAt: null })) === 0);
  }, 90_000);

  test('messages accepted while the broker was unreachable are published by the next instance', async () => {
    const first = await startTestApp();
    const [alice, bob] = await registerUsers(first, 2);
    await first.close();
    if (!alice || !bob) throw new Error('fixtures');

    // The cut proxy resets every connection: this instance never reaches a broker.
    proxy.cut();
    const offline = await startTestApp({
      dbName: first.dbName,
      amqpUrl: `amqp://guest:guest@127.0.0.1:${proxy.port}`,
    });
    let sent: MessageReply[];
    try {
      expect((await fetch(`${offline.url}/readyz`)).status).toBe(503);
      sent = await Promise.all(['one', 'two', 'three'].map((text) => sendOk(offline, alice, bob, text)));
    } finally {
      await offline.close();
    }

    const next = await startTestApp({ dbName: first.dbName, namespace: t.namespace });
    try {
      const ids = new Set(sent.map((m) => m._id));
      await waitFor(
        () => new Set(events.events.map((e) => e.message._id).filter((id) => ids.has(id))).size === 3,
        {
          timeoutMs: 15_000,
          message: 'the restarted instance did not publish the pending events',
        },
      );
    } finally {
      await next.close();
    }
  }, 60_000);

  test('edits, deletes and reads made while the broker is down are published after it is back, in write order', async () => {
    proxy.restore();
    await waitFor(async () => (await fetch(`${t.url}/readyz`)).status === 200, {
      timeoutMs: 15_000,
      message: 'never ready again',
    });
    const [alice, bob] = await registerUsers(t, 2);
    if (!alice || !bob) throw new Error('fixtures');
    const recorder = await recordAllEvents();
    try {
      const m0 = await sendOk(t, alice, bob, 'before the outage');
      await waitFor(
        async () => (await t.db.collection('messages').findOne({ _id: new ObjectId(m0._id) }))?.publishedAt,
      );
      proxy.cut();
      const m1 = await sendOk(t, alice, bob, 'typo');
      await editOk(t, alice, m1._id, 'fixed');
      const m2 = await sendOk(t, bob, alice, 'reply');
      await readOk(t, alice, bob, m2._id);
      await deleteOk(t, alice, m0._id);
      const pendingReads = await t.db.collection('conversations').countDocuments({ outbox: true });
      expect(pendingReads).toBe(1);

      proxy.restore();
      const mine = () =>
        recorder.seen.filter((s) => {
          const message = s.event.message as { conversationId?: string } | undefined;
          return (message?.conversationId ?? s.event.conversationId) === m0.conversationId;
        });
      await waitFor(() => mine().some((s) => s.routingKey === 'message.deleted'), {
        timeoutMs: 30_000,
        message: 'the events written during the outage were not published',
      });
      const order = mine().map((s) => {
        const message = s.event.message as { _id: string } | undefined;
        return `${s.routingKey} ${message?._id ?? s.event.upTo}`;
      });
      // Republished duplicates are allowed; first arrivals follow the order of the writes.
      expect([...new Set(order)]).toEqual([
        `message.created ${m0._id}`,
        `message.created ${m1._id}`,
        `message.updated ${m1._id}`,
        `message.created ${m2._id}`,
        `conversation.read ${m2._id}`,
        `message.deleted ${m0._id}`,
      ]);
      const updated = mine().find((s) => s.routingKey === 'message.updated')?.event.message;
      expect(updated).toMatchObject({ message: 'fixed' });
      await waitFor(
        async () => (await t.db.collection('conversations').countDocuments({ outbox: true })) === 0,
      );
    } finally {
      await recorder.close();
    }
  }, 60_000);
});
