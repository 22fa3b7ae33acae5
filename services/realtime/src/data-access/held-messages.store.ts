import { type Redis, redisKeys } from '@chat/shared/redis';
import { asStrings, runScript } from './lua.js';
import { type CreatedFact, type Plans, planArgs, type ReleasePlan } from './plan.js';
import { MAKE_AVAILABLE } from './release.script.js';
import { EMIT_LUA } from './user-events.js';

export type RecordedFact = CreatedFact | 'duplicate';

// Reads the facts (dedupe mark, deletion or latest edit, blocks, presence, status), carries out the
// domain's plan for them (hold, emits) and writes the dedupe mark, in one step: a crash can never leave a
// hold without its mark (redelivered → held twice), a mark without its hold or push (lost), and a
// redelivery can never push twice. The mark keeps the attempt that wrote it: the same attempt retried
// (its reply lost to a Redis outage) gets its own fact back; any other delivery is a duplicate.
const RECORD = `${EMIT_LUA}
local mark = redis.call('GET', KEYS[1])
if mark then
  local bar = string.find(mark, '|', 1, true)
  if ARGV[5] ~= '' and bar and string.sub(mark, bar + 1) == ARGV[5] then return string.sub(mark, 1, bar - 1) end
  return 'duplicate'
end
local message = ARGV[3]
local fate = redis.call('HMGET', KEYS[5], 'deleted', 'message')
local fact
if fate[1] then
  fact = 'deleted'
elseif redis.call('SISMEMBER', KEYS[6], ARGV[6]) == 1 or redis.call('SISMEMBER', KEYS[7], ARGV[1]) == 1 then
  fact = 'blocked'
else
  if fate[2] then message = fate[2] end
  local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
  local busy = redis.call('HGET', KEYS[3], ARGV[1]) == 'Busy'
  if not score or tonumber(score) < tonumber(ARGV[2]) then
    fact = busy and 'offlineBusy' or 'offline'
  elseif busy then
    fact = 'busy'
  else
    fact = 'available'
  end
end
local plan = plan_for(fact, 10)
if plan and plan.hold then
  redis.call('HSET', KEYS[4], ARGV[7], message)
  redis.call('ZADD', KEYS[8], ARGV[8], ARGV[7])
  -- Bounded: past the limit the oldest leave the hold (they stay in the history) and are counted.
  local over = redis.call('ZCARD', KEYS[8]) - tonumber(ARGV[9])
  if over > 0 then
    local oldest = redis.call('ZPOPMIN', KEYS[8], over)
    for i = 1, #oldest, 2 do redis.call('HDEL', KEYS[4], oldest[i]) end
    redis.call('INCRBY', KEYS[9], over)
  end
end
emit_plan(plan, message_fills(message))
redis.call('SET', KEYS[1], fact .. '|' .. ARGV[5], 'EX', ARGV[4])
return fact`;

export const DEDUPE_TTL_SECONDS = 86_400;

/** The field of a held message: its sender first, so a block can drop one sender's messages. */
export function heldField(senderId: string, messageId: string): string {
  return `${senderId}:${messageId}`;
}

export interface HeldMessagesStore {
  /** Record a created message: classify the facts for its recipient and carry out that fact's plan. */
  record(opts: {
    message: { _id: string; senderId: string; receiverId: string; createdAt: string };
    /** The message JSON to hold or push (unless a recorded edit replaces it). */
    messageJson: string;
    plans: Plans<CreatedFact>;
    now: number;
    /** Identifies one delivery attempt across its retries (empty: none). */
    attempt?: string;
  }): Promise<RecordedFact>;
  /**
   * Set `userId` Available (cancelling a Busy-until) and release every message held for them: the summary
   * plan once, then the `each` plan per message in creation order, placeholders filled. With `due`, only
   * while their Busy-until is set and at most `now` (else null: not due, or claimed by another node).
   */
  makeAvailable(
    userId: string,
    release: ReleasePlan,
    opts?: { due?: boolean; now?: number },
  ): Promise<Released | null>;
}

export interface Released {
  wasBusy: boolean;
  /** The released messages' `createdAt`, in release order. */
  createdAt: string[];
}

const FACTS: readonly string[] = [
  'available',
  'busy',
  'offline',
  'offlineBusy',
  'blocked',
  'deleted',
  'duplicate',
];

function isFact(value: unknown): value is RecordedFact {
  return typeof value === 'string' && FACTS.includes(value);
}

/**
 * Holds (`chat:held-messages:{id}` with its order `chat:held-order:{id}` and `chat:held-dropped:{id}`, at
 * most `limit` messages) and delivery marks (`chat:delivered:{id}`), read with status.
 */
export function createHeldMessagesStore(redis: Redis, opts: { limit: number }): HeldMessagesStore {
  return {
    async record({ message, messageJson, plans, now, attempt = '' }) {
      const { _id, senderId, receiverId } = message;
      const keys = [
        redisKeys.delivered(_id),
        redisKeys.presenceOnline,
        redisKeys.status,
        redisKeys.heldMessages(receiverId),
        redisKeys.messageFate(_id),
        redisKeys.blocks(receiverId),
        redisKeys.blocks(senderId),
        redisKeys.heldOrder(receiverId),
        redisKeys.heldDropped(receiverId),
      ];
      const args = [receiverId, now, messageJson, DEDUPE_TTL_SECONDS, attempt];
      const createdAt = Date.parse(message.createdAt);
      const hold = [
        senderId,
        heldField(senderId, _id),
        Number.isNaN(createdAt) ? now : createdAt,
        opts.limit,
      ];
      const reply = await runScript(redis, RECORD, keys, [...args, ...hold, ...planArgs(plans)]);
      if (!isFact(reply)) throw new Error(`unexpected delivery script reply: ${String(reply)}`);
      return reply;
    },
    async makeAvailable(userId, release, { due = false, now = Date.now() } = {}) {
      const keys = [
        redisKeys.status,
        redisKeys.heldMessages(userId),
        redisKeys.heldOrder(userId),
        redisKeys.heldDropped(userId),
        redisKeys.held(userId),
        redisKeys.statusUntil,
      ];
      const args = [userId, JSON.stringify(release), due ? 'due' : 'now', now];
      const reply = await runScript(redis, MAKE_AVAILABLE, keys, args);
      if (!Array.isArray(reply)) return null;
      return { wasBusy: reply[0] === 1, createdAt: asStrings(reply.slice(1)) };
    },
  };
}
