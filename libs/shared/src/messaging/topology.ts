import type { Channel } from 'amqp-connection-manager';
import {
  type BrokerNames,
  DELIVERY_BUCKETS,
  deadLetterQueueOf,
  MAX_DELIVERY_QUEUES,
  RECIPIENT_BUCKET_HEADER,
} from '../events/index.js';
import type { QueueShard } from './types.js';

/** Declare the events exchange and the dead-letter exchange (idempotent). */
export async function assertExchanges(channel: Channel, names: BrokerNames): Promise<void> {
  await channel.assertExchange(names.exchange, 'topic', { durable: true });
  await channel.assertExchange(names.deadLetterExchange, 'topic', { durable: true });
}

export interface QueueLimits {
  /** Deliveries before a message is dead-lettered. */
  deliveryLimit: number;
  /** Ready messages the queue holds; beyond it the oldest go to the dead-letter queue. */
  maxLength: number;
  /** Ready messages the dead-letter queue holds; beyond it new dead letters are dropped. */
  deadLetterMaxLength: number;
}

/**
 * Declare quorum queue `queue` bound to `routingKey`, dead-lettering to `queue.dlq`. Dead letters are
 * re-keyed with the queue's own name so two queues consuming the same event keep separate DLQs.
 *
 * Both queues are bounded, so a stopped consumer cannot fill the broker's disk. Quorum queues only know
 * `drop-head` and `reject-publish` (`reject-publish-dlx` is silently taken as `drop-head`); `drop-head` with
 * the dead-letter exchange sends the overflow to the DLQ instead of refusing publishes, which would stall
 * every publisher's outbox on one slow consumer. The DLQ refuses (drops) beyond its own limit, keeping the
 * first dead letters of an incident. RabbitMQ refuses to re-declare an existing queue with other arguments
 * (PRECONDITION_FAILED): see docs/architecture.md for the migration of queues declared before these limits.
 */
export async function assertConsumerQueue(
  channel: Channel,
  names: BrokerNames,
  queue: string,
  routingKey: string,
  limits: QueueLimits,
  shard?: QueueShard,
): Promise<void> {
  await assertExchanges(channel, names);
  const dlq = deadLetterQueueOf(queue);
  await channel.assertQueue(dlq, {
    durable: true,
    arguments: { 'x-max-length': limits.deadLetterMaxLength, 'x-overflow': 'reject-publish' },
  });
  await channel.bindQueue(dlq, names.deadLetterExchange, queue);
  await channel.assertQueue(queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': limits.deliveryLimit,
      'x-dead-letter-exchange': names.deadLetterExchange,
      'x-dead-letter-routing-key': queue,
      'x-max-length': limits.maxLength,
      'x-overflow': 'drop-head',
    },
  });
  if (shard) await bindShard(channel, names, queue, routingKey, shard);
  else await channel.bindQueue(queue, names.exchange, routingKey);
}

/** Throws unless `shard` is queue `index` of `count` (1 to MAX_DELIVERY_QUEUES): checked before any setup runs. */
export function checkQueueShard({ index, count }: QueueShard): void {
  if (
    !Number.isInteger(index) ||
    !Number.isInteger(count) ||
    count > MAX_DELIVERY_QUEUES ||
    index < 0 ||
    index >= count
  ) {
    throw new Error(`invalid queue shard ${index} of ${count} (at most ${MAX_DELIVERY_QUEUES} queues)`);
  }
}

/** The headers exchange splitting `routingKey` by bucket, and where events without a bucket go. */
export function shardExchangesOf(
  names: BrokerNames,
  routingKey: string,
): { byBucket: string; unbucketed: string } {
  return {
    byBucket: `${names.exchange}.${routingKey}.by-bucket`,
    unbucketed: `${names.exchange}.${routingKey}.unbucketed`,
  };
}

/**
 * Topic exchange ─routingKey→ headers exchange ─bucket b→ queue `b mod count`. Bindings of other buckets are
 * removed, so a changed count moves buckets instead of doubling them. An event without the header (published
 * before buckets existed) reaches shard 0 through the alternate exchange instead of being dropped.
 */
async function bindShard(
  channel: Channel,
  names: BrokerNames,
  queue: string,
  routingKey: string,
  shard: QueueShard,
): Promise<void> {
  const { index, count } = shard;
  const { byBucket, unbucketed } = shardExchangesOf(names, routingKey);
  await channel.assertExchange(unbucketed, 'fanout', { durable: true });
  await channel.assertExchange(byBucket, 'headers', { durable: true, alternateExchange: unbucketed });
  await channel.bindExchange(byBucket, names.exchange, routingKey);
  await Promise.all(
    Array.from({ length: DELIVERY_BUCKETS }, (_, bucket) => {
      const args = { 'x-match': 'all', [RECIPIENT_BUCKET_HEADER]: String(bucket) };
      return bucket % count === index
        ? channel.bindQueue(queue, byBucket, '', args)
        : channel.unbindQueue(queue, byBucket, '', args);
    }),
  );
  if (index === 0) await channel.bindQueue(queue, unbucketed, '');
  else await channel.unbindQueue(queue, unbucketed, '');
}
