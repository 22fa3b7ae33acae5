import { randomUUID } from 'node:crypto';
import type { Broker, Consumer } from '@chat/shared/messaging';
import { type DeliveryDeps, deliverMessage } from '../../domain/deliver-message.js';
import { type GatedConsumerOptions, startGatedConsumer } from './gated-consumer.js';

/**
 * Competing consumer of `message.created` on the queue every node shares, behind the outage gate. One
 * attempt id per delivery: a retry after a lost Redis reply is recognised as the same attempt.
 */
export function startMessageCreatedConsumer(
  broker: Broker,
  opts: GatedConsumerOptions & { deps: DeliveryDeps },
): Promise<Consumer> {
  return startGatedConsumer(broker, 'message.created', opts, (event) => {
    const attempt = randomUUID();
    return () => deliverMessage(opts.deps, event, attempt);
  });
}
