import { randomUUID } from 'node:crypto';
import type { EventOf, RoutingKey } from '@chat/shared/events';
import { createLogger } from '@chat/shared/logger';
import { type Broker, createBroker } from '@chat/shared/messaging';
import { compareSeq, type SyncAck, type SyncedEvent } from '@chat/shared/sockets';
import { asSyncedEvent, startTcpProxy, type TcpProxy, testEnv } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ChatClient, type ClientSocket, connectClient, openSocket } from '../src/chat-client.js';
import { request, type StoredMessage, signUp, type User } from '../src/clients.js';
import type { FaultStack } from '../src/fault-stack.js';
import { report } from '../src/report.js';
import { printLogsOnFailure, startStackForTest, waitFor } from './support.js';

let stack: FaultStack;
let gatewayProxy: TcpProxy;
let broker: Broker;
const open: Array<{ close(): void }> = [];

beforeAll(async () => {
  stack = await startStackForTest();
  // The client's network to the chat: cutting it resets the socket and refuses reconnections.
  const gateway = new URL(stack.url);
  gatewayProxy = await startTcpProxy(gateway.hostname, Number(gateway.port));
  broker = createBroker({
    url: testEnv().amqpUrl,
    namespace: stack.namespace,
    logger: createLogger({ service: 'sync-fault-test', level: 'silent' }),
    name: 'sync-fault-test',
  });
});

afterAll(async () => {
  for (const client of open.splice(0)) client.close();
  await broker?.close();
  await gatewayProxy?.close();
  await stack?.stop();
});

printLogsOnFailure(() => stack);

const seqOf = (event: SyncedEvent) => (event.data as { seq: string }).seq;
const bySeq = (a: SyncedEvent, b: SyncedEvent) => compareSeq(seqOf(a), seqOf(b));

/** A socket that keeps what a client keeps: its events by seq, filled in by `sync` after each reconnect. */
function catchingUpSocket(url: string, user: User, origin: string) {
  const socket: ClientSocket = openSocket(url, user, { origin });
  const events = new Map<string, SyncedEvent>();
  const syncs: SyncAck[] = [];
  let last = '';
  const keep = (event: SyncedEvent) => {
    events.set(seqOf(event), event);
    if (last === '' || compareSeq(seqOf(event), last) > 0) last = seqOf(event);
  };
  socket.onAny((event: string, data: unknown) => {
    const synced = asSyncedEvent(event, data);
    if (synced) keep(synced);
  });
  socket.on('connect', async () => {
    const ack = await socket.timeout(5_000).emitWithAck('sync', { since: last });
    syncs.push(ack);
    if (ack.ok && 'events' in ack) for (const event of ack.events) keep(event);
    if (ack.ok && last === '') last = ack.seq;
  });
  return { socket, syncs, list: () => [...events.values()].sort(bySeq), close: () => socket.disconnect() };
}

function sequencedOf(client: ChatClient): SyncedEvent[] {
  const received: SyncedEvent[] = [];
  client.socket.onAny((event: string, data: unknown) => {
    const synced = asSyncedEvent(event, data);
    if (synced) received.push(synced);
  });
  return received;
}

/** Sent through the gateway; retried while the messages service has not yet heard of the new receiver. */
async function send(from: User, to: User, text: string): Promise<StoredMessage> {
  for (let attempt = 0; ; attempt++) {
    const reply = await request<StoredMessage>(stack.url, `/api/messages/send/${to._id}`, {
      cookie: from.cookie,
      body: { message: text },
    });
    if (reply.status === 201) return reply.body;
    if (reply.status !== 404 || attempt >= 50) throw new Error(`send failed: ${reply.status} ${reply.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the messages service publishes for an edit, a deletion or a read, on this stack's exchange. */
function publish<K extends RoutingKey>(key: K, body: Omit<EventOf<K>, 'eventId' | 'occurredAt'>) {
  const event = { eventId: randomUUID(), occurredAt: new Date().toISOString(), ...body } as EventOf<K>;
  return broker.publisher().publish(key, event);
}

const identity = (m: StoredMessage) => ({
  _id: m._id,
  conversationId: m.conversationId,
  senderId: m.senderId,
  receiverId: m.receiverId,
  createdAt: m.createdAt,
});

describe('sync after the network is cut', () => {
  test('a socket cut off during 50 messages, 5 edits, 3 deletes and 2 reads ends with the events of one that never was', async () => {
    const alice = await signUp(stack.url, 'syncfa');
    const bob = await signUp(stack.url, 'syncfb');
    const steady = await connectClient(stack.url, bob);
    open.push(steady);
    const steadyEvents = sequencedOf(steady);
    const flaky = catchingUpSocket(`http://127.0.0.1:${gatewayProxy.port}`, bob, new URL(stack.url).origin);
    open.push(flaky);
    await waitFor(() => flaky.syncs.length === 1, { message: 'the first sync never came' });
    await send(alice, bob, 'before the cut');
    await waitFor(() => flaky.list().length === 1 && steadyEvents.length === 1, {
      message: 'no first message',
    });

    gatewayProxy.cut();
    await waitFor(() => !flaky.socket.connected, { message: 'the cut did not disconnect' });
    const sent: StoredMessage[] = [];
    for (let i = 0; i < 50; i++) sent.push(await send(alice, bob, `during the cut ${i}`));
    const editedAt = new Date().toISOString();
    for (const m of sent.slice(0, 5)) {
      await publish('message.updated', {
        message: { ...identity(m), message: `${m.message} (edited)`, editedAt },
      });
    }
    const deletedAt = new Date().toISOString();
    for (const m of sent.slice(5, 8)) {
      await publish('message.deleted', { message: { ...identity(m), message: '', deletedAt } });
    }
    const conversationId = sent[0]?.conversationId ?? '';
    const readAt = new Date().toISOString();
    await publish('conversation.read', {
      conversationId,
      readerId: bob._id,
      peerId: alice._id,
      upTo: sent[9]?._id ?? '',
      readAt,
    });
    await publish('conversation.read', {
      conversationId,
      readerId: alice._id,
      peerId: bob._id,
      upTo: sent[0]?._id ?? '',
      readAt,
    });
    await waitFor(() => steadyEvents.length === 61, {
      message: 'the steady socket missed events',
      timeoutMs: 30_000,
    });
    expect(flaky.list()).toHaveLength(1);

    gatewayProxy.restore();
    await waitFor(() => flaky.syncs.length === 2, {
      message: 'no sync after the reconnect',
      timeoutMs: 30_000,
    });
    await send(alice, bob, 'after the cut');
    await waitFor(() => steadyEvents.length === 62 && flaky.list().length === 62, {
      message: 'the caught-up socket does not match',
      timeoutMs: 15_000,
    });

    expect(flaky.list()).toEqual([...steadyEvents].sort(bySeq));
    const replayed = flaky.syncs[1];
    const replayedCount = replayed?.ok && 'events' in replayed ? replayed.events.length : -1;
    expect(replayedCount).toBeGreaterThanOrEqual(60);
    report('sync-after-cut', {
      missedWhileCut: 60,
      replayedBySync: replayedCount,
      finalEvents: flaky.list().length,
      identicalToSteadySocket: true,
      reconnections: gatewayProxy.accepted - 1,
    });
  });
});
