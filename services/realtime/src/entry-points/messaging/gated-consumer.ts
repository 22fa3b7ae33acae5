import type { EventOf, RoutingKey } from '@chat/shared/events';
import { correlatedLogger, type Logger } from '@chat/shared/logger';
import { type Broker, CORRELATION_HEADER, type Consumer, type QueueShard } from '@chat/shared/messaging';
import type { Redis } from '@chat/shared/redis';
import type { OutageGate } from '../redis/outage-gate.js';

/** True when a failure says "Redis is not reachable right now" rather than "this event is bad". */
function isRedisOutage(redis: Redis, err: unknown): boolean {
  return redis.status !== 'ready' || (err instanceof Error && err.name === 'MaxRetriesPerRequestError');
}

export interface GatedConsumerOptions {
  queue: string;
  /** The queue is one of several splitting its event by recipient. */
  shard?: QueueShard;
  prefetch: number;
  redis: Redis;
  gate: OutageGate;
  /** Aborted on stop: events held by an outage give up and are requeued. */
  stopping: AbortSignal;
  /** Logs each handled event at debug level, under the correlation id of the request that caused it. */
  logger: Logger;
}

/**
 * A competing consumer whose handler runs behind the outage gate. The broker wrapper acks only after the
 * handler resolves, requeues when it throws and dead-letters invalid events. While Redis is down the
 * event is held here, unacked, until the gate reopens: an outage must not burn the delivery limit and
 * dead-letter valid events (the prefetch bounds how many are held; the rest wait in the queue).
 * `handle` gets a fresh function per delivery to run its work in, retried as a whole after an outage, and
 * the logger of that event: the node's, with the correlation id of the request that caused it (its AMQP header).
 */
export function startGatedConsumer<K extends RoutingKey>(
  broker: Broker,
  routingKey: K,
  opts: GatedConsumerOptions,
  handle: (event: EventOf<K>, logger: Logger) => () => Promise<unknown>,
): Promise<Consumer> {
  return broker.consume({
    queue: opts.queue,
    routingKey,
    prefetch: opts.prefetch,
    ...(opts.shard ? { shard: opts.shard } : {}),
    handler: async (event, meta) => {
      const correlationId = meta.headers[CORRELATION_HEADER];
      const log = correlatedLogger(
        opts.logger,
        typeof correlationId === 'string' ? correlationId : undefined,
      );
      const work = handle(event, log);
      for (;;) {
        await opts.gate.open(opts.stopping);
        try {
          await work();
          log.debug({ routingKey, eventId: event.eventId }, 'event handled');
          return;
        } catch (err) {
          if (!isRedisOutage(opts.redis, err)) throw err;
          // Not hot: the gate is shut until Redis is ready again.
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    },
  });
}
