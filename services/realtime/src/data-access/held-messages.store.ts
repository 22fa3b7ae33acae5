import { type Redis, redisKeys } from '@chat/shared/redis';
import { asStrings, runScript } from './lua.js';

export type RecordedOutcome = 'delivered' | 'deferred' | 'offline' | 'duplicate';

// Decides and records the outcome in one step with the dedupe mark, so a crash can never leave a held
// message without its mark (redelivered → held twice) or a mark without its hold (lost). The mark keeps
// the attempt that wrote it: the same attempt retried (its reply lost to a Redis outage) gets its own
// outcome back; any other delivery of the event is a duplicate. A live push is PUBLISHed by the same
// script (every node relays it to its local sockets), so a node dying right after recording cannot
// leave a recorded delivery unpushed, and a redelivery cannot push it twice.
const RECORD = `
local mark = redis.call('GET', KEYS[1])
if mark then
  local bar = string.find(mark, '|', 1, true)
  if ARGV[5] ~= '' and bar and string.sub(mark, bar + 1) == ARGV[5] then return string.sub(mark, 1, bar - 1) end
  return 'duplicate'
end
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
local outcome = 'offline'
if score and tonumber(score) >= tonumber(ARGV[2]) then
  if redis.call('HGET', KEYS[3], ARGV[1]) == 'Busy' then
    redis.call('RPUSH', KEYS[4], ARGV[3])
    outcome = 'deferred'
  else
    outcome = 'delivered'
    redis.call('PUBLISH', ARGV[6], ARGV[3])
  end
end
redis.call('SET', KEYS[1], outcome .. '|' .. ARGV[5], 'EX', ARGV[4])
return outcome`;

// Switching to Available and taking the held list happen together: a delivery recorded on any node is
// either already in the list (flushed here) or sees Available (pushed live).
const MAKE_AVAILABLE = `
redis.call('HSET', KEYS[1], ARGV[1], 'Available')
local held = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2])
return held`;

export const DEDUPE_TTL_SECONDS = 86_400;

/** Pub/sub channel carrying each live `message.created` push (the event JSON) to every node. */
export const LIVE_PUSH_CHANNEL = redisKeys.livePushChannel;

export interface HeldMessagesStore {
  /** Record what happens to a message for `receiverId` (holding it when they are Busy). */
  record(opts: {
    messageId: string;
    receiverId: string;
    payload: string;
    now: number;
    /** Identifies one delivery attempt across its retries (empty: none). */
    attempt?: string;
  }): Promise<RecordedOutcome>;
  /** Set `userId` Available and take every message held for them, oldest first. */
  makeAvailable(userId: string): Promise<string[]>;
}

function isOutcome(value: unknown): value is RecordedOutcome {
  return value === 'delivered' || value === 'deferred' || value === 'offline' || value === 'duplicate';
}

/** Held lists (`chat:held:{id}`) and delivery marks (`chat:delivered:{id}`), read together with status. */
export function createHeldMessagesStore(redis: Redis): HeldMessagesStore {
  return {
    async record({ messageId, receiverId, payload, now, attempt = '' }) {
      const keys = [
        redisKeys.delivered(messageId),
        redisKeys.presenceOnline,
        redisKeys.status,
        redisKeys.held(receiverId),
      ];
      const reply = await runScript(redis, RECORD, keys, [
        receiverId,
        now,
        payload,
        DEDUPE_TTL_SECONDS,
        attempt,
        LIVE_PUSH_CHANNEL,
      ]);
      if (!isOutcome(reply)) throw new Error(`unexpected delivery script reply: ${String(reply)}`);
      return reply;
    },
    makeAvailable: async (userId) =>
      asStrings(await runScript(redis, MAKE_AVAILABLE, [redisKeys.status, redisKeys.held(userId)], [userId])),
  };
}
