import type { Channel } from 'amqp-connection-manager';
import type { ConsumeMessage } from 'amqplib';

/** The settling calls of one channel (amqplib's Channel). */
export type SettlingChannel = Pick<Channel, 'ack' | 'nack'>;

/**
 * Acks of one consumer channel, sent together: handlers that finish within one turn of the event loop are
 * acknowledged by a single `basic.ack` with `multiple` (all of a channel's deliveries up to that tag) when
 * they are the oldest deliveries still unsettled, so the broker and this process handle one ack frame for
 * a batch instead of one per message. A delivery that finished while an older one is still running is
 * acked on its own, so a slow handler never holds the others' acks (or the prefetch window) back. Nacks go
 * out at once.
 */
export interface AckBatcher {
  /** A delivery arrived (call in delivery order, before its handler runs). */
  delivered(msg: ConsumeMessage): void;
  /** Its handler succeeded: acked within this turn of the event loop. */
  ack(msg: ConsumeMessage): void;
  /** Rejected or requeued now. */
  nack(msg: ConsumeMessage, requeue: boolean): void;
  /** Send the acks waiting for the end of the turn now (before the channel closes). */
  flush(): void;
}

export function createAckBatcher(channel: SettlingChannel, onError: (err: unknown) => void): AckBatcher {
  // Unsettled deliveries in delivery-tag order, and the ones among them whose handler succeeded.
  const unsettled: ConsumeMessage[] = [];
  const done = new Set<ConsumeMessage>();
  let scheduled: NodeJS.Immediate | undefined;

  const forget = (msg: ConsumeMessage) => {
    const at = unsettled.indexOf(msg);
    if (at >= 0) unsettled.splice(at, 1);
    done.delete(msg);
  };
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (done.size === 0) return;
    try {
      // The oldest deliveries, all succeeded: one ack for them all.
      let prefix = 0;
      while (prefix < unsettled.length && done.has(unsettled[prefix] as ConsumeMessage)) prefix++;
      const last = unsettled[prefix - 1];
      if (last) channel.ack(last, prefix > 1);
      for (const msg of unsettled.splice(0, prefix)) done.delete(msg);
      // The rest finished while an older delivery still runs: each on its own.
      for (const msg of done) {
        channel.ack(msg);
        forget(msg);
      }
    } catch (err) {
      // A closed channel: the broker redelivers whatever was not acked.
      unsettled.length = 0;
      done.clear();
      onError(err);
    }
  };
  return {
    delivered: (msg) => void unsettled.push(msg),
    ack(msg) {
      done.add(msg);
      scheduled ??= setImmediate(flush);
    },
    nack(msg, requeue) {
      forget(msg);
      channel.nack(msg, false, requeue);
    },
    flush,
  };
}
