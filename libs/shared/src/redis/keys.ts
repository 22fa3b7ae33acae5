import type { Redis } from 'ioredis';
import { PRESENCE_KEYS } from './presence.js';

/**
 * Every Redis key and channel the services share (see docs/architecture.md), without the deployment's
 * REDIS_PREFIX: the client adds it to every key (createRedis sets ioredis' keyPrefix), so keys used in
 * commands and passed as script KEYS need nothing more. Redis clients never prefix pub/sub channels nor
 * names a script builds itself: those go through `prefixed`/`prefixOf`.
 */
export const redisKeys = {
  /** The presence contract's keys (presence.ts): written by realtime, read by the users service. */
  presenceOnline: PRESENCE_KEYS.online,
  /** ZSET nodeId → heartbeat expiry (ms): which realtime nodes are alive. */
  presenceNodes: 'chat:presence:nodes',
  presenceNode: (nodeId: string): string => `chat:presence:node:${nodeId}`,
  status: PRESENCE_KEYS.status,
  /**
   * ZSET userId → until (ms) of a Busy-until status: the timer every realtime node polls (claimed in one
   * script, so exactly one node switches the user back) and the `statusUntil` the users service shows.
   */
  statusUntil: PRESENCE_KEYS.statusUntil,
  /** v1 LIST of held payloads; no longer written (see heldMessages). */
  held: (userId: string): string => `chat:held:${userId}`,
  /** HASH `senderId:messageId` → message JSON: what waits for a Busy user (released in creation order). */
  heldMessages: (userId: string): string => `chat:held-messages:${userId}`,
  /** ZSET `senderId:messageId` → createdAt (ms): the hold's order, so the oldest leave it past HELD_LIMIT. */
  heldOrder: (userId: string): string => `chat:held-order:${userId}`,
  /** Count of held messages that left a full hold (the summary's `dropped`); reset at release. */
  heldDropped: (userId: string): string => `chat:held-dropped:${userId}`,
  /** STREAM of the events addressed to a user, each entry id being that event's `seq` (catch-up by `sync`). */
  userSeq: (userId: string): string => `chat:seq:${userId}`,
  delivered: (messageId: string): string => `chat:delivered:${messageId}`,
  denyList: (jti: string): string => `chat:denylist:${jti}`,
  /**
   * Epoch seconds S of the user's last "sign out everywhere": every token of theirs issued at or before S is
   * revoked (kept as long as a token lives).
   */
  tokensRevokedBefore: (userId: string): string => `chat:revoked-before:${userId}`,
  revocationsChannel: 'chat:revocations',
  /**
   * A realtime node's pub/sub channel for emits addressed to users (`{to, event, data}`): the store scripts
   * publish each emit only on the channels of the nodes holding a socket of an addressee (their presence
   * hashes), and each node relays its channel to its own sockets.
   */
  userEventsChannel: (nodeId: string): string => `chat:user-events:${nodeId}`,
  /** Marks an event id a realtime consumer has applied (dedupe of redeliveries). */
  realtimeEventDone: (eventId: string): string => `chat:realtime:event:${eventId}`,
  /** HASH of a message's latest edit (`editedAt`, `message`) or `deleted`, for events that overtake creation. */
  messageFate: (messageId: string): string => `chat:message-fate:${messageId}`,
  /** SET of the users `userId` has blocked. */
  blocks: (userId: string): string => `chat:blocks:${userId}`,
  /** HASH blockedId → occurredAt of the last block change applied (older events are ignored). */
  blockChanges: (userId: string): string => `chat:block-changes:${userId}`,
  /** Throttle mark of forwarded `typing: true` from one user to another. */
  typingThrottle: (from: string, to: string): string => `chat:typing:${from}:${to}`,
  rateLimit: (bucket: string, id: string): string => `chat:ratelimit:${bucket}:${id}`,
} as const;

/** The prefix `redis` puts before every key (the deployment's REDIS_PREFIX; '' by default). */
export function prefixOf(redis: Redis): string {
  const prefix = redis.options.keyPrefix;
  return typeof prefix === 'string' ? prefix : '';
}

/** A pub/sub channel (or a key named inside a script) as it is on the server, with the client's prefix. */
export function prefixed(redis: Redis, name: string): string {
  return prefixOf(redis) + name;
}

/** The Socket.IO Redis adapter's channel prefix for a deployment (`socket.io` without REDIS_PREFIX). */
export function adapterChannelPrefix(redis: Redis): string {
  return `${prefixOf(redis)}socket.io`;
}
