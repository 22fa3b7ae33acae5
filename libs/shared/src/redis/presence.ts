import type { Redis } from 'ioredis';
import { isUserStatus, redisKeys, type UserStatus } from './keys.js';

export interface Presence {
  online: boolean;
  status: UserStatus;
}

/**
 * Presence and status of `userIds` in one round trip: online ⇔ their `chat:presence:online` score ≥ `now`
 * (a lapsed score means their node died); status from `chat:status`, Available when absent.
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
    .exec();
  const [scoresReply, statusesReply] = replies ?? [];
  if (!scoresReply || !statusesReply) throw new Error('readPresence: pipeline returned no replies');
  if (scoresReply[0]) throw scoresReply[0];
  if (statusesReply[0]) throw statusesReply[0];
  const scores = scoresReply[1] as Array<string | null>;
  const statuses = statusesReply[1] as Array<string | null>;
  userIds.forEach((id, i) => {
    const score = scores[i];
    const status = statuses[i];
    result.set(id, {
      online: score !== null && score !== undefined && Number(score) >= now,
      status: isUserStatus(status) ? status : 'Available',
    });
  });
  return result;
}
