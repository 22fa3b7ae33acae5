import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ConsumeMessage, Message } from 'amqplib';
import { describe, expect, test } from 'vitest';
import { createAckBatcher, type SettlingChannel } from '../src/messaging/ack-batcher.js';

// Pure logic: the calls a batcher makes on its channel. The broker's side of these calls (an ack with
// `multiple` settles every earlier delivery of the channel) is exercised by the consumer tests against
// RabbitMQ.
function recordingChannel(fail = false) {
  const calls: string[] = [];
  const tag = (msg: Message) => msg.fields.deliveryTag;
  const channel: SettlingChannel = {
    ack(msg, allUpTo) {
      if (fail) throw new Error('Channel closed');
      calls.push(`ack ${tag(msg)}${allUpTo ? ' and all before' : ''}`);
    },
    nack(msg, _allUpTo, requeue) {
      calls.push(`nack ${tag(msg)}${requeue ? ' requeue' : ''}`);
    },
  };
  return { channel, calls };
}

const deliveries = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ fields: { deliveryTag: i + 1 } }) as ConsumeMessage);

describe('acks of one consumer channel', () => {
  test('the oldest deliveries finished in one turn are acked with one multiple ack', async () => {
    const { channel, calls } = recordingChannel();
    const acks = createAckBatcher(channel, () => {});
    const [a, b, c] = deliveries(3) as [ConsumeMessage, ConsumeMessage, ConsumeMessage];
    for (const msg of [a, b, c]) acks.delivered(msg);
    acks.ack(b);
    acks.ack(a);
    acks.ack(c);
    expect(calls).toEqual([]);
    await nextTurn();
    expect(calls).toEqual(['ack 3 and all before']);
  });

  test('deliveries finished while an older one still runs are acked on their own, not held back', async () => {
    const { channel, calls } = recordingChannel();
    const acks = createAckBatcher(channel, () => {});
    const [a, b, c] = deliveries(3) as [ConsumeMessage, ConsumeMessage, ConsumeMessage];
    for (const msg of [a, b, c]) acks.delivered(msg);
    acks.ack(b);
    acks.ack(c);
    await nextTurn();
    expect(calls).toEqual(['ack 2', 'ack 3']);
    acks.ack(a);
    await nextTurn();
    expect(calls).toEqual(['ack 2', 'ack 3', 'ack 1']);
  });

  test('a nack goes out at once and is left out of the acks around it', async () => {
    const { channel, calls } = recordingChannel();
    const acks = createAckBatcher(channel, () => {});
    const [a, b, c] = deliveries(3) as [ConsumeMessage, ConsumeMessage, ConsumeMessage];
    for (const msg of [a, b, c]) acks.delivered(msg);
    acks.ack(a);
    acks.nack(b, true);
    acks.ack(c);
    expect(calls).toEqual(['nack 2 requeue']);
    await nextTurn();
    expect(calls).toEqual(['nack 2 requeue', 'ack 3 and all before']);
  });

  test('flush() sends the waiting acks now; a closed channel is reported and nothing is retried', async () => {
    const { channel, calls } = recordingChannel();
    const acks = createAckBatcher(channel, () => {});
    const [a] = deliveries(1) as [ConsumeMessage];
    acks.delivered(a);
    acks.ack(a);
    acks.flush();
    expect(calls).toEqual(['ack 1']);
    await nextTurn();
    expect(calls).toEqual(['ack 1']);

    const closed = recordingChannel(true);
    const errors: unknown[] = [];
    const onClosed = createAckBatcher(closed.channel, (err) => errors.push(err));
    onClosed.delivered(a);
    onClosed.ack(a);
    await nextTurn();
    expect(errors).toHaveLength(1);
    onClosed.flush();
    expect(errors).toHaveLength(1);
  });
});
