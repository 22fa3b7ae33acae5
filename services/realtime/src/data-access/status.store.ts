import { busyUntilFrom, PRESENCE_KEYS, type Redis, statusFrom, type UserStatus } from '@chat/shared/redis';

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
  /**
   * Counts one status change of `userId` in the fixed window under `counterKey` and reads their status, in
   * one atomic step; returns the count so far in the window and the status.
   */
  countChange(
    userId: string,
    counterKey: string,
    windowMs: number,
  ): Promise<{ count: number; current: StatusOf }>;
  /** Users whose Busy-until is due at `now` (at most `limit`), oldest first. */
  dueUsers(now: number, limit: number): Promise<string[]>;
}

/**
 * The status half of the presence contract (`@chat/shared/redis` presence.ts): `chat:status` and
 * `chat:status-until`, the timer every node polls. Switching to Available goes through the held store,
 * which also clears the timer.
 */
export function createStatusStore(redis: Redis): StatusStore {
  return {
    async setBusy(userId, until) {
      const step = redis.multi().hset(PRESENCE_KEYS.status, userId, 'Busy');
      if (until === null) step.zrem(PRESENCE_KEYS.statusUntil, userId);
      else step.zadd(PRESENCE_KEYS.statusUntil, until, userId);
      await step.exec();
    },
    async statusOf(userIds) {
      const result = new Map<string, StatusOf>();
      if (userIds.length === 0) return result;
      const [values, untils] = await Promise.all([
        redis.hmget(PRESENCE_KEYS.status, ...userIds),
        redis.zmscore(PRESENCE_KEYS.statusUntil, ...userIds),
      ]);
      userIds.forEach((id, i) => {
        const status = statusFrom(values[i]);
        result.set(id, { status, until: busyUntilFrom(status, untils[i]) });
      });
      return result;
    },
    async countChange(userId, counterKey, windowMs) {
      const replies = await redis
        .multi()
        .set(counterKey, '0', 'PX', windowMs, 'NX')
        .incr(counterKey)
        .hget(PRESENCE_KEYS.status, userId)
        .zscore(PRESENCE_KEYS.statusUntil, userId)
        .exec();
      if (!replies) throw new Error('status change step was aborted');
      for (const [err] of replies) if (err) throw err;
      const [, [, count], [, status], [, until]] = replies as Array<[Error | null, unknown]> as [
        unknown,
        [null, number],
        [null, string | null],
        [null, string | null],
      ];
      const current = statusFrom(status);
      return { count, current: { status: current, until: busyUntilFrom(current, until) } };
    },
    dueUsers: (now, limit) => redis.zrangebyscore(PRESENCE_KEYS.statusUntil, '-inf', now, 'LIMIT', 0, limit),
  };
}
