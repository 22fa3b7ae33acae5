import type { Logger } from '@chat/shared/logger';
import type { UserStatus } from '@chat/shared/redis';
import type { HeldMessagesStore } from '../data-access/held-messages.store.js';
import type { StatusStore } from '../data-access/status.store.js';
import { type DeliveryObserver, lagSeconds } from './delivery-observer.js';
import { releasePlan } from './delivery-rules.js';
import type { Notifier } from './notifier.js';

export interface StatusDeps {
  status: StatusStore;
  held: HeldMessagesStore;
  notifier: Notifier;
  observer: DeliveryObserver;
  /** Resolves once this node's sockets have been sent every emit published so far. */
  relayed: () => Promise<void>;
  logger: Logger;
  now?: () => number;
}

/** Release every held message of `userId` in creation order, each followed by its sender's `delivered`. */
async function flushHeld(deps: StatusDeps, userId: string): Promise<void> {
  const now = deps.now ?? Date.now;
  const released = await deps.held.makeAvailable(userId, releasePlan(userId));
  for (const createdAt of released) {
    deps.observer.lag('held', lagSeconds(createdAt, now()));
    deps.observer.outcome('flushed');
  }
  if (released.length === 0) return;
  deps.logger.debug({ userId, count: released.length }, 'held messages flushed');
  // So that when the switch is acknowledged, this node's sockets already have the released messages.
  await deps.relayed();
}

/**
 * Set a user's status and broadcast it. Switching to Available releases the held messages in the same
 * Redis step; every emit to users is published from such a step on one channel, so a message recorded on
 * any node after the switch reaches every socket after the released ones.
 */
export async function changeStatus(deps: StatusDeps, userId: string, status: UserStatus): Promise<void> {
  if (status === 'Busy') await deps.status.setBusy(userId);
  else await flushHeld(deps, userId);
  deps.notifier.toAll('userStatus', { userId, status });
}

/** The current status of `userId` (Available when never set). */
export async function statusOf(deps: Pick<StatusDeps, 'status'>, userId: string): Promise<UserStatus> {
  return (await deps.status.statusOf([userId])).get(userId) ?? 'Available';
}
