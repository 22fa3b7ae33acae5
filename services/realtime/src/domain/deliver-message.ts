import type { MessageCreatedEvent } from '@chat/shared/events';
import type { HeldMessagesStore, RecordedOutcome } from '../data-access/held-messages.store.js';
import { type DeliveryObserver, lagSeconds } from './delivery-observer.js';
import type { KeyedSerializer } from './keyed-serializer.js';
import type { Notifier } from './notifier.js';

export interface DeliveryDeps {
  held: HeldMessagesStore;
  notifier: Notifier;
  /** Shared with the status switch: per recipient, a live message never overtakes a flush of held ones. */
  serializer: KeyedSerializer;
  observer: DeliveryObserver;
  now?: () => number;
}

/**
 * Live delivery of one `message.created` event. The outcome, the dedupe mark and (when delivered) the
 * recipient's push are one atomic step in Redis, so a redelivered event is dropped, the consumer may ack
 * as soon as this resolves, and a crash cannot separate the record from the push. Only the sender's
 * `messageDelivery` notice is emitted afterwards (at most once).
 * `attempt` names this delivery across in-process retries, so a retry after a lost reply still pushes.
 */
export function deliverMessage(
  deps: DeliveryDeps,
  event: MessageCreatedEvent,
  attempt?: string,
): Promise<RecordedOutcome> {
  const { message } = event;
  const now = deps.now ?? Date.now;
  return deps.serializer.run(message.receiverId, async () => {
    const outcome = await deps.held.record({
      messageId: message._id,
      receiverId: message.receiverId,
      payload: JSON.stringify(event),
      now: now(),
      attempt,
    });
    if (outcome === 'delivered') {
      // The recipient's push went out with the record itself (see the store); this tells the sender.
      deps.observer.lag('live', lagSeconds(event.occurredAt, now()));
      deps.notifier.toUser(message.senderId, 'messageDelivery', {
        messageId: message._id,
        state: 'delivered',
      });
    } else if (outcome === 'deferred') {
      deps.notifier.toUser(message.senderId, 'messageDelivery', {
        messageId: message._id,
        state: 'deferred',
      });
    }
    deps.observer.outcome(outcome);
    return outcome;
  });
}
