import type { Logger } from '@chat/shared/logger';
import { redisKeys, type UserStatus } from '@chat/shared/redis';
import type { StatusChange } from '@chat/shared/sockets';
import type { HeldMessagesStore, Released } from '../data-access/held-messages.store.js';
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

/** A status to set: Busy may end by itself at `until` (epoch ms). */
export interface StatusRequest {
  status: UserStatus;
  until: number | null;
}

/** How far ahead a Busy-until may be. */
export const MAX_BUSY_UNTIL_MS = 7 * 24 * 3_600_000;

const isoOrNull = (until: number | null) => (until === null ? null : new Date(until).toISOString());

async function reportReleased(deps: StatusDeps, userId: string, released: Released): Promise<void> {
  const now = deps.now ?? Date.now;
  for (const createdAt of released.createdAt) {
    deps.observer.lag('held', lagSeconds(createdAt, now()));
    deps.observer.outcome('flushed');
  }
  if (released.createdAt.length === 0) return;
  deps.logger.debug({ userId, count: released.createdAt.length }, 'held messages flushed');
  // So that when the switch is acknowledged, this node's sockets already have the released messages.
  await deps.relayed();
}

/**
 * Set a user's status and broadcast it. Switching to Available releases the held messages (summary
 * first) in the same Redis step; every emit to users is published from such a step on the channel of
 * each node holding an addressee, one ordered channel per node, so a message recorded on any node after
 * the switch reaches every socket after the released ones.
 */
export async function changeStatus(deps: StatusDeps, userId: string, request: StatusRequest) {
  if (request.status === 'Busy') {
    await deps.status.setBusy(userId, request.until);
  } else {
    const released = await deps.held.makeAvailable(userId, releasePlan(userId));
    if (released) await reportReleased(deps, userId, released);
  }
  const change: StatusChange = { userId, status: request.status, statusUntil: isoOrNull(request.until) };
  deps.notifier.toAll('userStatus', change);
  return change;
}

/** How many status changes a user may make (all their sockets together) per window. */
export interface StatusLimit {
  perUser: number;
  windowMs: number;
  /** Prefix of the counters (RATE_LIMIT_NAMESPACE). */
  namespace: string;
}

export type StatusOutcome =
  | { kind: 'limited' }
  | { kind: 'unchanged'; change: StatusChange }
  | { kind: 'changed'; change: StatusChange };

/** A request that sets what the user already has: same status and, for Busy, the same `until`. */
function isNoOp(current: { status: UserStatus; until: number | null }, request: StatusRequest): boolean {
  if (current.status !== request.status) return false;
  return request.status === 'Available' || current.until === request.until;
}

/**
 * A user asks to set their status: counted against their limit (across every socket and node); over it the
 * change is refused, and a change to what they already have broadcasts nothing.
 */
export async function requestStatusChange(
  deps: StatusDeps,
  userId: string,
  request: StatusRequest,
  limit: StatusLimit,
): Promise<StatusOutcome> {
  const counter = redisKeys.rateLimit(`${limit.namespace}status-change`, userId);
  const { count, current } = await deps.status.countChange(userId, counter, limit.windowMs);
  if (count > limit.perUser) return { kind: 'limited' };
  if (isNoOp(current, request)) {
    return {
      kind: 'unchanged',
      change: { userId, status: current.status, statusUntil: isoOrNull(current.until) },
    };
  }
  return { kind: 'changed', change: await changeStatus(deps, userId, request) };
}

/**
 * The Busy-until timer of `userId` is due: switch them to Available exactly as if they had, unless
 * another node claimed it first or the status was set again meanwhile. True when this call switched.
 */
export async function endBusyUntil(deps: StatusDeps, userId: string): Promise<boolean> {
  const now = (deps.now ?? Date.now)();
  const released = await deps.held.makeAvailable(userId, releasePlan(userId), { due: true, now });
  if (!released) return false;
  deps.notifier.toAll('userStatus', { userId, status: 'Available', statusUntil: null });
  await reportReleased(deps, userId, released);
  return true;
}

/** The current status of `userId` (Available when never set). */
export async function statusOf(deps: Pick<StatusDeps, 'status'>, userId: string): Promise<StatusChange> {
  const found = (await deps.status.statusOf([userId])).get(userId);
  return { userId, status: found?.status ?? 'Available', statusUntil: isoOrNull(found?.until ?? null) };
}
