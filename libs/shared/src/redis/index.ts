export type { Redis } from 'ioredis';
export { createRedis, pingRedis } from './client.js';
export {
  adapterChannelPrefix,
  isUserStatus,
  prefixed,
  prefixOf,
  redisKeys,
  USER_STATUSES,
  type UserStatus,
} from './keys.js';
export { type Presence, readPresence } from './presence.js';
