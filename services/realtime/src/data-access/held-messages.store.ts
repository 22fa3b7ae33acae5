import { type Redis, redisKeys } from '@chat/shared/redis';
import { asStrings, runScript } from './lua.js';

export type RecordedOutcome = 'delivered' | 'deferred' | 'offline' | 'duplicate';

// Decides and records the outcome in one step with the dedupe mark, so a crash can never leave a held
// message without its mark (redelivered → held twice) or a mark without its hold (lost).
const RECORD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'duplicate' end
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
local outcome = 'offline'
if score and tonumber(score) >= tonumber(ARGV[2]) then
  if redis.call('HGET', KEYS[3], ARGV[1]) == 'Busy' then
    redis.call('RPUSH', KEYS[4], ARGV[3])
    outcome = 'deferred'
  else
    outcome = 'delivered'
  end
end
redis.call('SET', KEYS[1], outcome, 'EX', ARGV[4])
return outcome`;

// Switching to Available and taking the held list happen together: a delivery recorded on any node is
// either already in the list (flushed here) or sees Available (pushed live).
const MAKE_AVAILABLE = `
redis.call('HSET', KEYS[1], ARGV[1], 'Available')
local held = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2])
return held`;

export const DEDUPE_TTL_SECONDS = 86_400;

export interface HeldMessagesStore {
  /** Record what happens to a message for `receiverId` (holding it when they are Busy). */
  record(opts: {
    messageId: string;
    receiverId: string;
    payload: string;
    now: number;
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
    async record({ messageId, receiverId, payload, now }) {
      const keys = [
        redisKeys.delivered(messageId),
        redisKeys.presenceOnline,
        redisKeys.status,
        redisKeys.held(receiverId),
      ];
      const reply = await runScript(redis, RECORD, keys, [receiverId, now, payload, DEDUPE_TTL_SECONDS]);
      if (!isOutcome(reply)) throw new Error(`unexpected delivery script reply: ${String(reply)}`);
      return reply;
    },
    makeAvailable: async (userId) =>
      asStrings(await runScript(redis, MAKE_AVAILABLE, [redisKeys.status, redisKeys.held(userId)], [userId])),
  };
}
