import type { Redis } from 'ioredis';

/**
 * The presence contract: how the realtime service (the only writer) keeps who is online and each user's
 * status in Redis, and how anyone else (the users service's directory) reads them. Both sides go through
 * this module, so the rule lives in one place:
 *
 * - `chat:presence:online`, ZSET userId → expiry (epoch ms). Online ⇔ score ≥ now. Each realtime node pushes
 *   its users' expiry forward on every heartbeat (PRESENCE_TTL_MS ahead), so the users of a node that died
 *   lapse by themselves; a user's last socket closing removes them.
 * - `chat:status`, HASH userId → `Busy` | `Available`. Absent (or anything else) means Available.
 * - `chat:status-until`, ZSET userId → epoch ms at which a Busy status ends by itself. Meaningful only while
 *   the status is Busy; every realtime node polls it, and readers show it as `statusUntil`.
 */
export const PRESENCE_KEYS = {
  online: 'chat:presence:online',
  status: 'chat:status',
  statusUntil: 'chat:status-until',
} as const;

export type UserStatus = 'Available' | 'Busy';
export const USER_STATUSES: readonly UserStatus[] = ['Available', 'Busy'];

/** Narrows an arbitrary value to a UserStatus. */
export function isUserStatus(value: unknown): value is UserStatus {
  return typeof value === 'string' && (USER_STATUSES as readonly string[]).includes(value);
}

/** The online rule: a `chat:presence:online` score (an expiry) counts while it is at least `now`. */
export function isOnlineAt(score: string | number | null | undefined, now: number): boolean {
  return score !== null && score !== undefined && Number(score) >= now;
}

/** The expiry a heartbeat at `now` writes: the user counts as online for `ttlMs` more. */
export function onlineExpiry(now: number, ttlMs: number): number {
  return now + ttlMs;
}

/** A stored `chat:status` value as a status: Available unless it says Busy. */
export function statusFrom(stored: string | null | undefined): UserStatus {
  return isUserStatus(stored) ? stored : 'Available';
}

/** When a Busy status ends by itself (epoch ms) from its `chat:status-until` score; null when not Busy. */
export function busyUntilFrom(status: UserStatus, score: string | null | undefined): number | null {
  return status === 'Busy' && score ? Number(score) : null;
}

/** The users online at `now` (the online rule as one range read). */
export function onlineUsers(redis: Redis, now: number): Promise<string[]> {
  return redis.zrangebyscore(PRESENCE_KEYS.online, now, '+inf');
}

export interface Presence {
  online: boolean;
  status: UserStatus;
  /** When a Busy status ends by itself (ISO), or null. */
  statusUntil: string | null;
}

/** Presence and status of `userIds` in one round trip, by the rules above. */
export async function readPresence(
  redis: Redis,
  userIds: string[],
  now: number = Date.now(),
): Promise<Map<string, Presence>> {
  const result = new Map<string, Presence>();
  if (userIds.length === 0) return result;
  const replies = await redis
    .pipeline()
    .zmscore(PRESENCE_KEYS.online, ...userIds)
    .hmget(PRESENCE_KEYS.status, ...userIds)
    .zmscore(PRESENCE_KEYS.statusUntil, ...userIds)
    .exec();
  const [scoresReply, statusesReply, untilsReply] = replies ?? [];
  if (!scoresReply || !statusesReply || !untilsReply) {
    throw new Error('readPresence: pipeline returned no replies');
  }
  for (const [err] of [scoresReply, statusesReply, untilsReply]) if (err) throw err;
  const scores = scoresReply[1] as Array<string | null>;
  const statuses = statusesReply[1] as Array<string | null>;
  const untils = untilsReply[1] as Array<string | null>;
  userIds.forEach((id, i) => {
    const status = statusFrom(statuses[i]);
    const until = busyUntilFrom(status, untils[i]);
    result.set(id, {
      online: isOnlineAt(scores[i], now),
      status,
      statusUntil: until === null ? null : new Date(until).toISOString(),
    });
  });
  return result;
}
