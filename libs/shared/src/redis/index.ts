export type { Redis } from 'ioredis';
export { closeRedis, createRedis, deleteKeysUnder, keysUnder, pingRedis } from './client.js';
export { adapterChannelPrefix, prefixed, prefixOf, redisKeys } from './keys.js';
export {
  busyUntilFrom,
  isOnlineAt,
  isUserStatus,
  onlineExpiry,
  onlineUsers,
  PRESENCE_KEYS,
  type Presence,
  readPresence,
  statusFrom,
  USER_STATUSES,
  type UserStatus,
} from './presence.js';
