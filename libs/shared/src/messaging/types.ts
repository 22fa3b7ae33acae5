import type { EventOf, RoutingKey } from '../events/index.js';

export interface PublishOptions {
  /** Reject when the broker has not confirmed the message within this time (default 5000 ms). */
  timeoutMs?: number;
  /** Extra AMQP headers, e.g. a correlation id. */
  headers?: Record<string, string>;
}

export interface Publisher {
  /**
   * Publish `event` persistent on the events exchange and resolve once the broker confirms it. The event is
   * the service's own, built from validated data and typed by its routing key, so it is not validated again
   * here: consumers validate what they receive (`parseEvent`), the producers' tests parse what they publish.
   * Rejects within `timeoutMs` when the broker is unreachable; a timed-out message still buffered is dropped,
   * so it is never sent later. One already written to the socket may still reach the broker: it carries the
   * same `eventId`, which consumers deduplicate.
   */
  publish<K extends RoutingKey>(routingKey: K, event: EventOf<K>, opts?: PublishOptions): Promise<void>;
}

export interface DeliveryMeta {
  redelivered: boolean;
  /** 1 on the first delivery, then +1 per redelivery (from the quorum queue's `x-delivery-count`). */
  deliveryCount: number;
  headers: Record<string, unknown>;
}

export interface ConsumeOptions<K extends RoutingKey> {
  queue: string;
  routingKey: K;
  /** Unacknowledged messages this consumer holds at once (default 20). */
  prefetch?: number;
  /** Deliveries allowed before the quorum queue dead-letters a message (default 5). */
  deliveryLimit?: number;
  /** Ready messages the queue holds before the oldest are dead-lettered (default 100,000). */
  maxLength?: number;
  /** Ready messages the dead-letter queue holds before new dead letters are dropped (default 10,000). */
  deadLetterMaxLength?: number;
  /**
   * Wait before requeueing a failed message: `retryDelayMs * 2^(attempt-1)`, capped at 2 s (default 100 ms; 0 disables),
   * so a brief outage of a dependency does not exhaust the delivery limit at once. Cut short by cancel().
   */
  retryDelayMs?: number;
  handler: (event: EventOf<K>, meta: DeliveryMeta) => Promise<void>;
  /**
   * This queue is shard `index` of `count` (≤ MAX_DELIVERY_QUEUES) splitting `message.created` by recipient
   * bucket: it is bound to the buckets `b` with `b mod count = index` instead of the routing key itself.
   */
  shard?: QueueShard;
}

export interface QueueShard {
  index: number;
  count: number;
}

export interface Consumer {
  /** Stop receiving, then wait for the handlers in flight (their messages are acked or nacked as usual). */
  cancel(): Promise<void>;
}

export interface Broker {
  /** The broker's single confirm-channel publisher. */
  publisher(): Publisher;
  /** Declare the queue topology and start consuming; resumes by itself after reconnections. */
  consume<K extends RoutingKey>(opts: ConsumeOptions<K>): Promise<Consumer>;
  isConnected(): boolean;
  /** Resolve once connected with the exchanges declared; reject after `timeoutMs` (default 10000). */
  waitForConnect(timeoutMs?: number): Promise<void>;
  /** Cancel every consumer (waiting for in-flight handlers), then close the channels and the connection. */
  close(): Promise<void>;
}
