import type { ChannelWrapper } from 'amqp-connection-manager';
import {
  type EventOf,
  eventSchemas,
  RECIPIENT_BUCKET_HEADER,
  type RoutingKey,
  recipientBucketOf,
} from '../events/index.js';
import type { Publisher, PublishOptions } from './types.js';

const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;

/** Thrown by {@link parseEvent} when an event does not match its schema. */
export class InvalidEventError extends Error {
  readonly issues: string[];
  constructor(routingKey: string, issues: string[]) {
    super(`Invalid ${routingKey} event: ${issues.join('; ')}`);
    this.name = 'InvalidEventError';
    this.issues = issues;
  }
}

/** Thrown by `publish` when the broker did not confirm in time (or refused the message). */
export class PublishError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishError';
  }
}

/**
 * Validate `event` against the schema of `routingKey`; throws {@link InvalidEventError}. The check of a trust
 * boundary: a consumer runs it on every event it receives (another service's), a publisher does not re-run it
 * on the events its own code built from validated data.
 */
export function parseEvent<K extends RoutingKey>(routingKey: K, event: unknown): EventOf<K> {
  const schema = eventSchemas[routingKey];
  if (!schema) throw new InvalidEventError(String(routingKey), ['unknown routing key']);
  const result = schema.safeParse(event);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidEventError(routingKey, issues);
  }
  return result.data as EventOf<K>;
}

/** Headers consumers route on: a new message's recipient bucket (see DELIVERY_BUCKETS). */
function routingHeadersOf<K extends RoutingKey>(routingKey: K, event: EventOf<K>): Record<string, string> {
  if (routingKey !== 'message.created') return {};
  const { message } = event as EventOf<'message.created'>;
  return { [RECIPIENT_BUCKET_HEADER]: String(recipientBucketOf(message.receiverId)) };
}

/** A publisher over a confirm channel wrapper (which must be created with `confirm: true`). */
export function createPublisher(channel: ChannelWrapper, exchange: string): Publisher {
  return {
    async publish(routingKey, event, opts: PublishOptions = {}) {
      const timeoutMs = opts.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
      try {
        // `timeout` also removes the message from the wrapper's offline buffer, so a rejected publish is
        // never sent after a later reconnection.
        await channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(event)), {
          persistent: true,
          contentType: 'application/json',
          messageId: event.eventId,
          type: routingKey,
          timestamp: Math.floor(Date.now() / 1000),
          headers: { ...routingHeadersOf(routingKey, event), ...opts.headers },
          timeout: timeoutMs,
        });
      } catch (err) {
        const reason =
          err instanceof Error && err.message === 'timeout'
            ? `not confirmed within ${timeoutMs} ms`
            : 'refused';
        throw new PublishError(`Publish of ${routingKey} ${event.eventId} ${reason}`, { cause: err });
      }
    },
  };
}
