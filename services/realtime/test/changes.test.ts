import { brokerNames, deadLetterQueueOf, QUEUES } from '@chat/shared/events';
import type { EditedMessage, MessageDeleted, MessagesRead } from '@chat/shared/sockets';
import { publishRaw, testEnv, waitFor } from '@chat/shared/testing';
import amqplib from 'amqplib';
import { describe, expect, test } from 'vitest';
import { type TestClient, waitForCount } from './support/clients.js';
import { useRealtimeCluster } from './support/cluster.js';
import { deletedEvent, readEvent, updatedEvent } from './support/events.js';
import { messageEvent } from './support/nodes.js';

const rt = useRealtimeCluster();
const { clients } = rt;

const updates = (client: TestClient) => client.events<EditedMessage>('messageUpdated');
const deletions = (client: TestClient) => client.events<MessageDeleted>('messageDeleted');
const reads = (client: TestClient) => client.events<MessagesRead>('messagesRead');

/** Alice on node A and Bob on node B, both connected. */
async function pair() {
  const [alice, bob] = await rt.connectUsers('A', 'B');
  return { alice, bob, aliceSocket: alice.socket, bobSocket: bob.socket };
}

describe('conversation.read', () => {
  test('reaches the peer on the other node and every socket of the reader, once', async () => {
    const { alice, bob, aliceSocket, bobSocket } = await pair();
    const bobOnA = await clients.connect(rt.urlA, { token: bob.token });
    const event = readEvent(bob.userId, alice.userId);
    const expected = {
      conversationId: event.conversationId,
      readerId: bob.userId,
      upTo: event.upTo,
      readAt: event.readAt,
    };

    await rt.cluster.publishEvent('conversation.read', event);
    await rt.cluster.publishEvent('conversation.read', event);
    const marker = readEvent(bob.userId, alice.userId);
    await rt.cluster.publishEvent('conversation.read', marker);

    for (const socket of [aliceSocket, bobSocket, bobOnA]) {
      await waitForCount(() => reads(socket), 2, 'a socket missed a read receipt');
      expect(reads(socket).filter((read) => read.upTo === event.upTo)).toEqual([expected]);
    }
  });
});

describe('message.updated and message.deleted', () => {
  test('reach both parties across nodes; redeliveries and older edits emit nothing', async () => {
    const { alice, bob, aliceSocket, bobSocket } = await pair();
    const created = messageEvent(alice.userId, bob.userId, 'first');
    await rt.cluster.publish(created);
    await waitForCount(() => bobSocket.messages(), 1, 'Bob never got the message');
    const edit = updatedEvent(created, 'second');
    const older = updatedEvent(created, 'stale', new Date(Date.parse(edit.message.editedAt) - 1_000));

    await rt.cluster.publishEvent('message.updated', edit);
    await waitForCount(() => updates(aliceSocket), 1, 'Alice never saw the edit');
    await rt.cluster.publishEvent('message.updated', edit);
    await rt.cluster.publishEvent('message.updated', older);
    const deletion = deletedEvent(created);
    await rt.cluster.publishEvent('message.deleted', deletion);
    await rt.cluster.publishEvent('message.deleted', deletion);

    const expectedDeletion = {
      _id: created.message._id,
      conversationId: created.message.conversationId,
      deletedAt: deletion.message.deletedAt,
    };
    for (const socket of [aliceSocket, bobSocket]) {
      await waitForCount(() => deletions(socket), 1, 'a party missed the deletion');
      expect(updates(socket)).toEqual([edit.message]);
    }
    // A later marker through both queues proves the duplicates were consumed and dropped.
    const marker = messageEvent(alice.userId, bob.userId, 'marker');
    await rt.cluster.publish(marker);
    await rt.cluster.publishEvent('message.deleted', deletedEvent(marker));
    for (const socket of [aliceSocket, bobSocket]) {
      await waitForCount(() => deletions(socket), 2, 'a party missed the marker deletion');
      expect(deletions(socket)[0]).toEqual(expectedDeletion);
      expect(updates(socket)).toEqual([edit.message]);
    }
  });

  test('an edit consumed before its creation: the creation pushes the edited text', async () => {
    const { alice, bob, aliceSocket, bobSocket } = await pair();
    const created = messageEvent(alice.userId, bob.userId, 'draft');
    const edit = updatedEvent(created, 'final');

    await rt.cluster.publishEvent('message.updated', edit);
    await waitForCount(() => updates(aliceSocket), 1, 'Alice never saw the edit');
    await rt.cluster.publish(created);

    const [pushed] = await waitForCount(() => bobSocket.messages(), 1, 'Bob never got the message');
    expect(pushed).toEqual(edit.message);
    const delivered = await waitForCount(() => aliceSocket.deliveries(), 1, 'Alice never got delivered');
    expect(delivered).toEqual([{ messageId: created.message._id, state: 'delivered' }]);
  });

  test('a deletion consumed before its creation: the creation is neither pushed nor held', async () => {
    const { alice, bob, aliceSocket, bobSocket } = await pair();
    const created = messageEvent(alice.userId, bob.userId, 'regret');

    await rt.cluster.publishEvent('message.deleted', deletedEvent(created));
    await waitForCount(() => deletions(aliceSocket), 1, 'Alice never saw the deletion');
    await rt.cluster.publish(created);
    await rt.cluster.publish(messageEvent(alice.userId, bob.userId, 'marker'));

    await waitForCount(() => bobSocket.messages(), 1, 'Bob never got the marker');
    await waitForCount(() => aliceSocket.deliveries(), 1, 'Alice never got the marker delivered');
    expect(bobSocket.messages().map((m) => m.message)).toEqual(['marker']);
    expect(aliceSocket.deliveries().map((d) => d.messageId)).not.toContain(created.message._id);
  });
});

describe('messages held for a Busy recipient', () => {
  test('an edit replaces the held text: released edited, and only the sender hears of it now', async () => {
    const { alice, bob, aliceSocket, bobSocket } = await pair();
    await bobSocket.setStatus('Busy');
    const created = messageEvent(alice.userId, bob.userId, 'typo');
    await rt.cluster.publish(created);
    await waitForCount(() => aliceSocket.deliveries(), 1, 'not deferred');
    // Text that looks like the store's placeholders is released as typed.
    const edit = updatedEvent(created, 'fixed "$MESSAGE$" $SENDER$ $MESSAGE_ID$');

    await rt.cluster.publishEvent('message.updated', edit);
    await waitForCount(() => updates(aliceSocket), 1, 'Alice never saw the edit');
    expect(await bobSocket.setStatus('Available')).toEqual({ ok: true, status: 'Available' });

    await waitForCount(() => bobSocket.messages(), 1, 'the held message was not released');
    expect(bobSocket.messages()).toEqual([edit.message]);
    expect(updates(bobSocket)).toEqual([]);
  });

  test('a deletion removes it from the hold: the release leaves it out', async () => {
    const { alice, bob, aliceSocket, bobSocket } = await pair();
    await bobSocket.setStatus('Busy');
    const base = Date.now();
    const gone = messageEvent(alice.userId, bob.userId, 'gone', new Date(base));
    const kept = messageEvent(alice.userId, bob.userId, 'kept', new Date(base + 1));
    await rt.cluster.publish(gone);
    await rt.cluster.publish(kept);
    await waitForCount(() => aliceSocket.deliveries(), 2, 'not deferred');

    await rt.cluster.publishEvent('message.deleted', deletedEvent(gone));
    await waitForCount(() => deletions(bobSocket), 1, 'Bob never saw the deletion');
    await bobSocket.setStatus('Available');

    await waitForCount(() => aliceSocket.deliveries(), 3, 'no delivered for the kept message');
    expect(bobSocket.messages().map((m) => m.message)).toEqual(['kept']);
    expect(aliceSocket.deliveries().slice(2)).toEqual([{ messageId: kept.message._id, state: 'delivered' }]);
  });
});

describe('invalid events', () => {
  test('are dead-lettered and the events after them keep flowing', async () => {
    const { alice, bob, aliceSocket } = await pair();
    const { amqpUrl } = testEnv();
    const namespace = rt.cluster.namespace;
    const created = messageEvent(alice.userId, bob.userId, 'x');

    await publishRaw(
      amqpUrl,
      'message.updated',
      { ...updatedEvent(created, 'y'), eventId: 'nope' },
      { namespace },
    );
    await publishRaw(amqpUrl, 'conversation.read', Buffer.from('not json'), { namespace });
    await rt.cluster.publishEvent('conversation.read', readEvent(bob.userId, alice.userId));

    await waitForCount(() => reads(aliceSocket), 1, 'the valid read receipt never came');
    const names = brokerNames(namespace);
    const connection = await amqplib.connect(amqpUrl);
    try {
      const channel = await connection.createChannel();
      for (const queue of [QUEUES.realtimeMessageUpdated, QUEUES.realtimeConversationRead]) {
        const dlq = deadLetterQueueOf(names.queue(queue));
        const found = await waitFor(async () => (await channel.checkQueue(dlq)).messageCount === 1, {
          timeoutMs: 5_000,
          message: `nothing dead-lettered in ${dlq}`,
        });
        expect(found).toBe(true);
      }
    } finally {
      await connection.close();
    }
    expect(updates(aliceSocket)).toEqual([]);
  });
});
