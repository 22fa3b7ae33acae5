/** Every Redis key and channel the services share (see docs/architecture.md). */
export const redisKeys = {
  presenceOnline: 'chat:presence:online',
  /** ZSET nodeId → heartbeat expiry (ms): which realtime nodes are alive. */
  presenceNodes: 'chat:presence:nodes',
  presenceNode: (nodeId: string): string => `chat:presence:node:${nodeId}`,
  status: 'chat:status',
  held: (userId: string): string => `chat:held:${userId}`,
  delivered: (messageId: string): string => `chat:delivered:${messageId}`,
  denyList: (jti: string): string => `chat:denylist:${jti}`,
  revocationsChannel: 'chat:revocations',
  /** Pub/sub channel the delivery script publishes live pushes on; every realtime node relays them. */
  livePushChannel: 'chat:live-push',
  rateLimit: (bucket: string, id: string): string => `chat:ratelimit:${bucket}:${id}`,
} as const;

export type UserStatus = 'Available' | 'Busy';
export const USER_STATUSES: readonly UserStatus[] = ['Available', 'Busy'];

/** Narrows an arbitrary value to a UserStatus. */
export function isUserStatus(value: unknown): value is UserStatus {
  return typeof value === 'string' && (USER_STATUSES as readonly string[]).includes(value);
}
