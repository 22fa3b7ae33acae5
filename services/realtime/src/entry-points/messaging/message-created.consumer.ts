import { withCorrelationId } from '@chat/shared/logger';
import type { Broker, Consumer } from '@chat/shared/messaging';
import { type DeliveryDeps, deliverMessage } from '../../domain/deliver-message.js';

const CORRELATION_HEADER = 'x-request-id';

/**
 * Competing consumer of `message.created` on the queue every node shares. The broker wrapper acks only
 * after `deliverMessage` resolves (outcome recorded) and requeues when it throws (Redis down).
 */
export function startMessageCreatedConsumer(
  broker: Broker,
  opts: { queue: string; prefetch: number; deps: DeliveryDeps },
): Promise<Consumer> {
  return broker.consume({
    queue: opts.queue,
    routingKey: 'message.created',
    prefetch: opts.prefetch,
    handler: async (event, meta) => {
      const correlationId = meta.headers[CORRELATION_HEADER];
      const run = () => deliverMessage(opts.deps, event);
      await (typeof correlationId === 'string' ? withCorrelationId(correlationId, run) : run());
    },
  });
}
