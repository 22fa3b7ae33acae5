import { type Redis, redisKeys, type UserStatus } from '@chat/shared/redis';

export interface StatusOf {
  status: UserStatus;
  /** Epoch ms at which a Busy status ends by itself, or null. */
  until: number | null;
}

export interface StatusStore {
  /** Busy, until `until` (ms) or until switched; setting it again replaces (or cancels) the timer. */
  setBusy(userId: string, until: number | null): Promise<void>;
  /** Each user's status; absent means Available. */
  statusOf(userIds: string[]): Promise<Map<string, StatusOf>>;
  /** Users whose Busy-until is due at `now` (at most `limit`), oldest first. */
  dueUsers(now: number, limit: number): Promise<string[]>;
}

/**
 * `chat:status` (HASH userId → Available/Busy) and `chat:status-until` (ZSET userId → until ms, the timer
 * every node polls). Switching to Available goes through the held store, which also clears the timer.
 */
export function createStatusStore(redis: Redis): StatusStore {
  return {
    async setBusy(userId, until) {
      const step = redis.multi().hset(redisKeys.status, userId, 'Busy');
      if (until === null) step.zrem(redisKeys.statusUntil, userId);
      else step.zadd(redisKeys.statusUntil, until, userId);
      await step.exec();
    },
    async statusOf(userIds) {
      const result = new Map<string, StatusOf>();
      if (userIds.length === 0) return result;
      const [values, untils] = await Promise.all([
        redis.hmget(redisKeys.status, ...userIds),
        redis.zmscore(redisKeys.statusUntil, ...userIds),
      ]);
      userIds.forEach((id, i) => {
        const busy = values[i] === 'Busy';
        const until = untils[i];
        result.set(id, {
          status: busy ? 'Busy' : 'Available',
          until: busy && until ? Number(until) : null,
        });
      });
      return result;
    },
    dueUsers: (now, limit) => redis.zrangebyscore(redisKeys.statusUntil, '-inf', now, 'LIMIT', 0, limit),
  };
}
