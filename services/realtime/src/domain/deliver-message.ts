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
 * Live delivery of one `message.created` event. The outcome and the dedupe mark are recorded in one step
 * before anything is emitted, so a redelivered event is dropped and the consumer may ack as soon as this
 * resolves. A crash between recording and emitting loses the live push only; the history still has it.
 */
export function deliverMessage(deps: DeliveryDeps, event: MessageCreatedEvent): Promise<RecordedOutcome> {
  const { message } = event;
  const now = deps.now ?? Date.now;
  return deps.serializer.run(message.receiverId, async () => {
    const outcome = await deps.held.record({
      messageId: message._id,
      receiverId: message.receiverId,
      payload: JSON.stringify(event),
      now: now(),
    });
    if (outcome === 'delivered') {
      deps.notifier.toUser(message.receiverId, 'newMessage', message);
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
