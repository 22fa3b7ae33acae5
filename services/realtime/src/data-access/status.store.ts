import { type Redis, redisKeys, type UserStatus } from '@chat/shared/redis';

export interface StatusStore {
  setBusy(userId: string): Promise<void>;
  /** Each user's status; absent means Available. */
  statusOf(userIds: string[]): Promise<Map<string, UserStatus>>;
}

/** `chat:status` (HASH userId → Available/Busy). Switching to Available goes through the held store. */
export function createStatusStore(redis: Redis): StatusStore {
  return {
    async setBusy(userId) {
      await redis.hset(redisKeys.status, userId, 'Busy');
    },
    async statusOf(userIds) {
      const result = new Map<string, UserStatus>();
      if (userIds.length === 0) return result;
      const values = await redis.hmget(redisKeys.status, ...userIds);
      userIds.forEach((id, i) => {
        result.set(id, values[i] === 'Busy' ? 'Busy' : 'Available');
      });
      return result;
    },
  };
}
