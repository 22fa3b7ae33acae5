import { currentCorrelationId } from '@chat/shared/logger';

/**
 * Stamps an outbox event with the id of the request being served (the gateway's `x-request-id`, bound by the
 * request-id middleware), so the relay can publish it as an AMQP header and consumers log under the same id.
 * Outside a request nothing is added. Returns the same object: one string field per event, no copy.
 */
export function withCorrelation<T extends object>(event: T): T & { correlationId?: string } {
  const correlationId = currentCorrelationId();
  if (correlationId !== undefined) Object.assign(event, { correlationId });
  return event;
}
