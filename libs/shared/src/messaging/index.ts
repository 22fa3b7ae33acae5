export { type BrokerOptions, createBroker, type ManagedBroker } from './broker.js';
export { deleteBrokerNamespace } from './cleanup.js';
export type { OutboxEntry, OutboxRelay, OutboxRelayOptions, OutboxStore } from './outbox-relay.js';
export { CORRELATION_HEADER, startOutboxRelay } from './outbox-relay.js';
export { InvalidEventError, PublishError, parseEvent } from './publisher.js';
export {
  brokerReadiness,
  type PublishingBroker,
  startPublishingBroker,
  waitForBroker,
} from './publishing-broker.js';
export { shardExchangesOf } from './topology.js';
export type {
  Broker,
  ConsumeOptions,
  Consumer,
  DeliveryMeta,
  Publisher,
  PublishOptions,
  QueueShard,
} from './types.js';
