import { type MessageCreatedEvent, messageCreatedEvent } from '@chat/shared/events';
import type { Logger } from '@chat/shared/logger';
import type { UserStatus } from '@chat/shared/redis';
import type { HeldMessagesStore } from '../data-access/held-messages.store.js';
import type { StatusStore } from '../data-access/status.store.js';
import { type DeliveryObserver, lagSeconds } from './delivery-observer.js';
import type { KeyedSerializer } from './keyed-serializer.js';
import type { Notifier } from './notifier.js';

export interface StatusDeps {
  status: StatusStore;
  held: HeldMessagesStore;
  notifier: Notifier;
  serializer: KeyedSerializer;
  observer: DeliveryObserver;
  logger: Logger;
  now?: () => number;
}

function parseHeld(raw: string[], logger: Logger): MessageCreatedEvent[] {
  const events: MessageCreatedEvent[] = [];
  for (const item of raw) {
    try {
      events.push(messageCreatedEvent.parse(JSON.parse(item)));
    } catch (err) {
      logger.error({ err }, 'dropped an unreadable held message');
    }
  }
  return events;
}

// Nodes consuming side by side may push holds slightly out of order; creation order is the truth.
function byCreation(a: MessageCreatedEvent, b: MessageCreatedEvent): number {
  const at = a.message.createdAt.localeCompare(b.message.createdAt);
  return at !== 0 ? at : a.message._id.localeCompare(b.message._id);
}

/** Push every held message of `userId` in order, then tell each sender it was delivered. */
async function flushHeld(deps: StatusDeps, userId: string): Promise<void> {
  const now = deps.now ?? Date.now;
  const events = parseHeld(await deps.held.makeAvailable(userId), deps.logger).sort(byCreation);
  for (const event of events) {
    deps.notifier.toUser(userId, 'newMessage', event.message);
    deps.observer.lag('held', lagSeconds(event.occurredAt, now()));
  }
  for (const { message } of events) {
    deps.notifier.toUser(message.senderId, 'messageDelivery', { messageId: message._id, state: 'delivered' });
    deps.observer.outcome('flushed');
  }
  if (events.length > 0) deps.logger.debug({ userId, count: events.length }, 'held messages flushed');
}

/**
 * Set a user's status and broadcast it. Switching to Available first flushes the held messages, inside the
 * recipient's serializer so a message consumed meanwhile on this node waits behind them.
 * Remaining race: a message recorded on ANOTHER node just after the switch is pushed live from there and
 * may reach the socket before this node's flush emits; nothing is lost or doubled, only that order.
 */
export async function changeStatus(deps: StatusDeps, userId: string, status: UserStatus): Promise<void> {
  if (status === 'Busy') await deps.status.setBusy(userId);
  else await deps.serializer.run(userId, () => flushHeld(deps, userId));
  deps.notifier.toAll('userStatus', { userId, status });
}

/** The current status of `userId` (Available when never set). */
export async function statusOf(deps: Pick<StatusDeps, 'status'>, userId: string): Promise<UserStatus> {
  return (await deps.status.statusOf([userId])).get(userId) ?? 'Available';
}
