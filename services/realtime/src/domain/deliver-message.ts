import type { MessageCreatedEvent } from '@chat/shared/events';
import type { HeldMessagesStore, RecordedFact } from '../data-access/held-messages.store.js';
import { type DeliveryObserver, type DeliveryOutcome, lagSeconds } from './delivery-observer.js';
import { createdPlans } from './delivery-rules.js';

export interface DeliveryDeps {
  held: HeldMessagesStore;
  observer: DeliveryObserver;
  now?: () => number;
}

const OUTCOMES: Record<RecordedFact, DeliveryOutcome> = {
  available: 'delivered',
  busy: 'deferred',
  offline: 'offline',
  offlineBusy: 'offline',
  blocked: 'blocked',
  deleted: 'deleted',
  duplicate: 'duplicate',
};

/**
 * Live delivery of one `message.created` event, by the plans of delivery-rules.ts. The fact, the dedupe
 * mark, the hold and the emits (recipient's push, sender's notice) are one atomic step in Redis, so a
 * redelivered event emits nothing, the consumer may ack as soon as this resolves, and a crash cannot
 * separate the record from its emits.
 * `attempt` names this delivery across in-process retries, so a retry after a lost reply reports its fact.
 */
export async function deliverMessage(
  deps: DeliveryDeps,
  event: MessageCreatedEvent,
  attempt?: string,
): Promise<RecordedFact> {
  const { message } = event;
  const now = deps.now ?? Date.now;
  const fact = await deps.held.record({
    message,
    messageJson: JSON.stringify(message),
    plans: createdPlans(message),
    now: now(),
    attempt,
  });
  if (fact === 'available') deps.observer.lag('live', lagSeconds(event.occurredAt, now()));
  deps.observer.outcome(OUTCOMES[fact]);
  return fact;
}
