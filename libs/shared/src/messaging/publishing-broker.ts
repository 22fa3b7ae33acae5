import type { Logger } from '../logger/index.js';
import { type BrokerOptions, createBroker, type ManagedBroker } from './broker.js';
import {
  type OutboxRelay,
  type OutboxRelayOptions,
  type OutboxStore,
  startOutboxRelay,
} from './outbox-relay.js';
import type { Broker } from './types.js';

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

/** How long a service that consumes waits for the broker at start before starting without it. */
const BROKER_CONNECT_WAIT_MS = 3_000;

/** The /readyz check of a service's broker: down while the connection is. */
export function brokerReadiness(broker: Broker): () => void {
  return () => {
    if (!broker.isConnected()) throw new Error('broker not connected');
  };
}

/**
 * Waits a bounded time for the broker before a service declares its consumers: with the broker up, their
 * queues exist once start() returns; with it down, the service still starts (not ready, see
 * `brokerReadiness`) and catches up when the broker is back.
 */
export async function waitForBroker(broker: Broker, logger: Logger): Promise<void> {
  await broker
    .waitForConnect(BROKER_CONNECT_WAIT_MS)
    .catch((err: unknown) => logger.warn({ err }, 'broker not reachable yet; starting without it'));
}
