import { redisKeys } from '@chat/shared/redis';
import { compareSeq, type SyncAck, type SyncedEvent } from '@chat/shared/sockets';
import { asSyncedEvent, waitFor } from '@chat/shared/testing';
import { describe, expect, test } from 'vitest';
import { type TestClient, waitForCount } from './support/clients.js';
import { useRealtimeCluster } from './support/cluster.js';
import { deletedEvent, readEvent, updatedEvent } from './support/events.js';
import { messageEvent, newUser } from './support/nodes.js';

const rt = useRealtimeCluster();
const { clients } = rt;

/** The recorded events a socket received live, as `{event, data}` (data with its seq). */
function sequenced(client: TestClient): SyncedEvent[] {
  return client.received.flatMap((r) => asSyncedEvent(r.event, r.args[0]) ?? []);
}

const seqOf = (event: SyncedEvent) => (event.data as { seq: string }).seq;

const sync = (client: TestClient, input: unknown): Promise<SyncAck> =>
  client.socket.timeout(5_000).emitWithAck('sync', input as { since: string });

describe('sync after a reconnect', () => {
  test('a socket cut off during messages, edits, deletes and reads catches up on the other node to the exact state of one that stayed', async () => {
    const alice = newUser();
    const bob = newUser();
    const aliceSocket = await clients.connect(rt.urlA, { token: alice.token });
    const steady = await clients.connect(rt.urlA, { token: bob.token });
    const flaky = await clients.connect(rt.urlB, { token: bob.token });
    const first = messageEvent(alice.userId, bob.userId, 'before the cut');
    await rt.cluster.publish(first);
    await waitForCount(() => flaky.messages(), 1, 'the first message never came');
    await waitForCount(() => sequenced(steady), 1, 'the first message never came to the steady socket');
    const [seen] = sequenced(flaky);
    if (!seen) throw new Error('no event');
    const since = seqOf(seen);
    // The seq is the user's, the same on every node.
    expect(sequenced(steady).map(seqOf)).toEqual([since]);

    flaky.socket.disconnect();
    const base = Date.now();
    const created = Array.from({ length: 50 }, (_, i) =>
      messageEvent(alice.userId, bob.userId, `m${i}`, new Date(base + i)),
    );
    for (const event of created) await rt.cluster.publish(event);
    await waitForCount(() => steady.messages(), 51, 'not every message reached the steady socket');
    for (const event of created.slice(0, 5))
      await rt.cluster.publishEvent('message.updated', updatedEvent(event, 'edited'));
    for (const event of created.slice(5, 8))
      await rt.cluster.publishEvent('message.deleted', deletedEvent(event));
    await rt.cluster.publishEvent(
      'conversation.read',
      readEvent(alice.userId, bob.userId, created[10]?.message._id),
    );
    await rt.cluster.publishEvent(
      'conversation.read',
      readEvent(bob.userId, alice.userId, created[20]?.message._id),
    );
    await waitForCount(() => sequenced(steady), 61, 'the steady socket missed changes');

    const back = await clients.connect(rt.urlA, { token: bob.token });
    const ack = await sync(back, { since });

    const expected = sequenced(steady).filter((e) => compareSeq(seqOf(e), since) > 0);
    expect(expected).toHaveLength(60);
    expect(ack).toEqual({ ok: true, seq: seqOf(expected.at(-1) as SyncedEvent), events: expected });
    // Asking again changes nothing and gets the same answer.
    expect(await sync(back, { since })).toEqual(ack);
    expect(aliceSocket.deliveries()).toHaveLength(51);
  });

  test('a user offline for a few seconds gets what was recorded meanwhile from sync, nothing live', async () => {
    const alice = newUser();
    const bob = newUser();
    const aliceSocket = await clients.connect(rt.urlA, { token: alice.token });
    const before = await clients.connect(rt.urlB, { token: bob.token });
    const start = await sync(before, {});
    if (!start.ok) throw new Error('refused');
    before.socket.disconnect();
    const away = messageEvent(alice.userId, bob.userId, 'while away');
    await rt.cluster.publish(away);
    // Offline: the recording is the only trace, so wait for it before Bob comes back.
    await waitFor(async () => (await rt.redis.xlen(redisKeys.userSeq(bob.userId))) > 0, {
      message: 'the message was never recorded',
    });
    const back = await clients.connect(rt.urlA, { token: bob.token });

    const ack = await sync(back, { since: start.seq });

    expect(ack.ok && 'events' in ack && ack.events.map((e) => [e.event, e.data])).toEqual([
      ['newMessage', { ...away.message, seq: expect.any(String) }],
    ]);
    expect(back.messages()).toEqual([]);
    expect(aliceSocket.deliveries()).toEqual([]);
  });

  test('without since (or ""), the current seq and no events: where a fresh client starts', async () => {
    const alice = newUser();
    const bob = newUser();
    const bobSocket = await clients.connect(rt.urlB, { token: bob.token });
    const empty = await sync(bobSocket, {});
    expect(empty).toEqual({ ok: true, seq: expect.any(String), events: [] });
    if (!empty.ok) throw new Error('refused');

    await rt.cluster.publish(messageEvent(alice.userId, bob.userId, 'first ever'));
    await waitForCount(() => bobSocket.messages(), 1, 'no message');

    const after = await sync(bobSocket, { since: empty.seq });
    expect(after).toEqual({
      ok: true,
      seq: seqOf(sequenced(bobSocket)[0] as SyncedEvent),
      events: sequenced(bobSocket),
    });
    expect(await sync(bobSocket, { since: '' })).toEqual({
      ok: true,
      seq: after.ok && after.seq,
      events: [],
    });
  });

  test('a since older than what is kept gets resync: true with the current seq', async () => {
    const alice = newUser();
    const bob = newUser();
    const bobSocket = await clients.connect(rt.urlA, { token: bob.token });
    for (const i of [0, 1, 2]) await rt.cluster.publish(messageEvent(alice.userId, bob.userId, `m${i}`));
    await waitForCount(() => bobSocket.messages(), 3, 'no messages');
    const seqs = sequenced(bobSocket).map(seqOf);
    const latest = seqs.at(-1);

    expect(await sync(bobSocket, { since: '1-0' })).toEqual({ ok: true, seq: latest, resync: true });
    // Trimmed to the last event: a since before it may have missed events; the kept one has not.
    await rt.redis.xtrim(redisKeys.userSeq(bob.userId), 'MAXLEN', 1);
    expect(await sync(bobSocket, { since: seqs[0] })).toEqual({ ok: true, seq: latest, resync: true });
    expect(await sync(bobSocket, { since: latest })).toEqual({ ok: true, seq: latest, events: [] });
  });

  test.each([
    ['letters', { since: 'abc' }],
    ['a number', { since: 5 }],
    ['three parts', { since: '1-2-3' }],
    ['an unknown key', { since: '1-0', all: true }],
    ['a bare string', 'since'],
  ])('a malformed since (%s) is refused', async (_label, input) => {
    const bob = newUser();
    const bobSocket = await clients.connect(rt.urlB, { token: bob.token });

    expect(await sync(bobSocket, input)).toMatchObject({
      ok: false,
      code: 'REALTIME.INVALID_SYNC',
      error: expect.any(String),
    });
  });

  test("a Busy user's held messages enter the sequence when released, after the summary", async () => {
    const [bob, alice] = await rt.connectUsers('A', 'B');
    const start = await sync(bob.socket, {});
    if (!start.ok || !('events' in start)) throw new Error('no start');
    await bob.socket.setStatus('Busy');
    await rt.cluster.publish(messageEvent(alice.userId, bob.userId, 'held'));
    await waitForCount(() => alice.socket.deliveries(), 1, 'not deferred');
    expect(await sync(bob.socket, { since: start.seq })).toMatchObject({ events: [] });

    await bob.socket.setStatus('Available');

    const replay = await sync(bob.socket, { since: start.seq });
    expect(replay.ok && 'events' in replay && replay.events.map((e) => e.event)).toEqual([
      'heldSummary',
      'newMessage',
    ]);
  });
});
