export type { Redis } from 'ioredis';
export { createRedis, pingRedis } from './client.js';
export { isUserStatus, redisKeys, USER_STATUSES, type UserStatus } from './keys.js';
export { type Presence, readPresence } from './presence.js';
