import type { Redis } from 'ioredis';
import { isUserStatus, redisKeys, type UserStatus } from './keys.js';

export interface Presence {
  online: boolean;
  status: UserStatus;
  /** When a Busy status ends by itself (ISO), or null. */
  statusUntil: string | null;
}

/**
 * Presence and status of `userIds` in one round trip: online ⇔ their `chat:presence:online` score ≥ `now`
 * (a lapsed score means their node died); status from `chat:status`, Available when absent; `statusUntil`
 * from `chat:status-until` while Busy.
 */
export async function readPresence(
  redis: Redis,
  userIds: string[],
  now: number = Date.now(),
): Promise<Map<string, Presence>> {
  const result = new Map<string, Presence>();
  if (userIds.length === 0) return result;
  const replies = await redis
    .pipeline()
    .zmscore(redisKeys.presenceOnline, ...userIds)
    .hmget(redisKeys.status, ...userIds)
    .zmscore(redisKeys.statusUntil, ...userIds)
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
    const score = scores[i];
    const status = isUserStatus(statuses[i]) ? (statuses[i] as UserStatus) : 'Available';
    const until = untils[i];
    result.set(id, {
      online: score !== null && score !== undefined && Number(score) >= now,
      status,
      statusUntil: status === 'Busy' && until ? new Date(Number(until)).toISOString() : null,
    });
  });
  return result;
}
