import { messageCreatedEvent, messageUpdatedEvent } from '@chat/shared/events';
import type { Logger } from '@chat/shared/logger';
import type { UserStatus } from '@chat/shared/redis';
import type { LiveMessage } from '@chat/shared/sockets';
import type { HeldMessagesStore } from '../data-access/held-messages.store.js';
import type { StatusStore } from '../data-access/status.store.js';
import type { UserEmitter } from '../data-access/user-events.js';
import { type DeliveryObserver, lagSeconds } from './delivery-observer.js';
import { releasedEmits } from './delivery-rules.js';
import type { KeyedSerializer } from './keyed-serializer.js';
import type { Notifier } from './notifier.js';

export interface StatusDeps {
  status: StatusStore;
  held: HeldMessagesStore;
  notifier: Notifier;
  emitter: UserEmitter;
  serializer: KeyedSerializer;
  observer: DeliveryObserver;
  logger: Logger;
  now?: () => number;
}

// A held message is as created, or as last edited while held.
const heldMessage = messageCreatedEvent.shape.message.or(messageUpdatedEvent.shape.message);

function parseHeld(raw: string[], logger: Logger): LiveMessage[] {
  const messages: LiveMessage[] = [];
  for (const item of raw) {
    try {
      messages.push(heldMessage.parse(JSON.parse(item)));
    } catch (err) {
      logger.error({ err }, 'dropped an unreadable held message');
    }
  }
  return messages;
}

// The hold is unordered; creation order is the truth.
function byCreation(a: LiveMessage, b: LiveMessage): number {
  const at = a.createdAt.localeCompare(b.createdAt);
  return at !== 0 ? at : a._id.localeCompare(b._id);
}

/** Push every held message of `userId` in order, then tell each sender it was delivered. */
async function flushHeld(deps: StatusDeps, userId: string): Promise<void> {
  const now = deps.now ?? Date.now;
  const messages = parseHeld(await deps.held.makeAvailable(userId), deps.logger).sort(byCreation);
  const emits = messages.map(releasedEmits);
  await deps.emitter.emit([...emits.map(([push]) => push), ...emits.map(([, notice]) => notice)]);
  for (const message of messages) {
    deps.observer.lag('held', lagSeconds(message.createdAt, now()));
    deps.observer.outcome('flushed');
  }
  if (messages.length > 0) deps.logger.debug({ userId, count: messages.length }, 'held messages flushed');
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
