/**
 * Stamps an outbox event with the id of the request that queued it (the gateway's `x-request-id`, passed
 * down from the route), so the relay can publish it as an AMQP header and consumers log under the same id.
 * Without one nothing is added. Returns the same object: one string field per event, no copy.
 */
export function withCorrelation<T extends object>(
  event: T,
  correlationId: string | undefined,
): T & { correlationId?: string } {
  if (correlationId !== undefined) Object.assign(event, { correlationId });
  return event;
}
