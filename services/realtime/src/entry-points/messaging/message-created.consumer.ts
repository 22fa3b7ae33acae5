import { randomUUID } from 'node:crypto';
import { withCorrelationId } from '@chat/shared/logger';
import type { Broker, Consumer } from '@chat/shared/messaging';
import type { Redis } from '@chat/shared/redis';
import { type DeliveryDeps, deliverMessage } from '../../domain/deliver-message.js';
import type { OutageGate } from '../redis/outage-gate.js';

const CORRELATION_HEADER = 'x-request-id';

/** True when a failure says "Redis is not reachable right now" rather than "this event is bad". */
function isRedisOutage(redis: Redis, err: unknown): boolean {
  return redis.status !== 'ready' || (err instanceof Error && err.name === 'MaxRetriesPerRequestError');
}

export interface MessageCreatedConsumerOptions {
  queue: string;
  prefetch: number;
  deps: DeliveryDeps;
  redis: Redis;
  gate: OutageGate;
  /** Aborted on stop: deliveries held by an outage give up and are requeued. */
  stopping: AbortSignal;
}

/**
 * Competing consumer of `message.created` on the queue every node shares. The broker wrapper acks only
 * after `deliverMessage` resolves (outcome recorded) and requeues when it throws. While Redis is down the
 * event is held here, unacked, until the outage gate reopens: an outage must not burn the delivery limit
 * and dead-letter valid events (the prefetch bounds how many are held; the rest wait in the queue).
 */
export function startMessageCreatedConsumer(
  broker: Broker,
  opts: MessageCreatedConsumerOptions,
): Promise<Consumer> {
  return broker.consume({
    queue: opts.queue,
    routingKey: 'message.created',
    prefetch: opts.prefetch,
    handler: async (event, meta) => {
      const correlationId = meta.headers[CORRELATION_HEADER];
      const attempt = randomUUID();
      const run = () => deliverMessage(opts.deps, event, attempt);
      for (;;) {
        await opts.gate.open(opts.stopping);
        try {
          await (typeof correlationId === 'string' ? withCorrelationId(correlationId, run) : run());
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
