import { messageCreatedEvent } from '@chat/shared/events';
import {
  collectEvents,
  type EventCollector,
  startTcpProxy,
  type TcpProxy,
  testEnv,
  waitFor,
} from '@chat/shared/testing';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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

beforeAll(async () => {
  const amqp = new URL(testEnv().amqpUrl);
  proxy = await startTcpProxy(amqp.hostname, Number(amqp.port || 5672));
  amqp.host = `127.0.0.1:${proxy.port}`;
  t = await startTestApp({
    amqpUrl: amqp.toString(),
    overrides: { outbox: { retryBaseMs: 200, maxBackoffMs: 2_000 } },
  });
  events = await collectEvents(testEnv().amqpUrl, 'message.created');
});

afterAll(async () => {
  await events?.close();
  await proxy?.restore();
  await t?.close();
  await proxy?.close();
});

describe('message.created through the outbox', () => {
  test('with the broker cut during 200 sends, all are stored and exactly 200 distinct events arrive after it is back', async () => {
    const [alice, bob] = await registerUsers(t, 2);
    if (!alice || !bob) throw new Error('fixtures');
    await waitFor(async () => (await fetch(`${t.url}/readyz`)).status === 200, { message: 'never ready' });

    const before = await sendMany(alice, bob, 50, 0);
    await proxy.cut();
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

    await proxy.restore();
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

    // Nothing listens on the cut proxy's port: this instance never reaches a broker.
    await proxy.cut();
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

    const next = await startTestApp({ dbName: first.dbName });
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
});
