import { type BrokerOptions, createBroker, type ManagedBroker } from './broker.js';
import {
  type OutboxRelay,
  type OutboxRelayOptions,
  type OutboxStore,
  startOutboxRelay,
} from './outbox-relay.js';

export interface PublishingBroker {
  broker: ManagedBroker;
  relay: OutboxRelay;
}

/**
 * A service's broker with the relay that drains its outbox, both closed through `onClose` (relay first,
 * registered last). Not awaited: the broker may be down; writes still succeed and the relay publishes later,
 * waking as soon as the broker is back rather than after its backoff.
 */
export function startPublishingBroker(opts: {
  broker: BrokerOptions;
  store: OutboxStore;
  relay?: Partial<Omit<OutboxRelayOptions, 'store' | 'publisher' | 'logger'>>;
  onClose: (close: () => Promise<unknown>) => void;
}): PublishingBroker {
  const broker = createBroker(opts.broker);
  opts.onClose(() => broker.close());
  const relay = startOutboxRelay({
    ...opts.relay,
    store: opts.store,
    publisher: broker.publisher(),
    logger: opts.broker.logger,
  });
  opts.onClose(() => relay.stop());
  broker.manager.on('connect', () => relay.wake());
  return { broker, relay };
}
