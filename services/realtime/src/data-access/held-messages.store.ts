import { type Redis, redisKeys } from '@chat/shared/redis';
import { asStrings, runScript } from './lua.js';
import { type CreatedFact, PLACEHOLDERS, type Plan, type Plans } from './plan.js';
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
elseif redis.call('SISMEMBER', KEYS[6], ARGV[7]) == 1 or redis.call('SISMEMBER', KEYS[7], ARGV[1]) == 1 then
  fact = 'blocked'
else
  if fate[2] then message = fate[2] end
  local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
  if not score or tonumber(score) < tonumber(ARGV[2]) then
    fact = 'offline'
  elseif redis.call('HGET', KEYS[3], ARGV[1]) == 'Busy' then
    fact = 'busy'
  else
    fact = 'available'
  end
end
local plan = cjson.decode(ARGV[6])[fact]
if plan and plan.hold then redis.call('HSET', KEYS[4], ARGV[8], message) end
emit_plan(plan, message_fills(message))
redis.call('SET', KEYS[1], fact .. '|' .. ARGV[5], 'EX', ARGV[4])
return fact`;

// Switching to Available, taking the hold and emitting its messages in creation order happen together:
// a delivery recorded on any node is either in the hold (released here) or sees Available (pushed live),
// a crash cannot take the hold without emitting it, and an edit or deletion applied on any node comes
// before the release (the held copy had its text) or after it. Returns the released createdAt values.
const MAKE_AVAILABLE = `${EMIT_LUA}
redis.call('HSET', KEYS[1], ARGV[1], 'Available')
local held = redis.call('HGETALL', KEYS[2])
redis.call('DEL', KEYS[2])
local items = {}
for i = 1, #held, 2 do
  local bar = string.find(held[i], ':', 1, true)
  table.insert(items, {
    sender = string.sub(held[i], 1, bar - 1),
    id = string.sub(held[i], bar + 1),
    at = string.match(held[i + 1], '"createdAt":"([^"]*)"') or '',
    message = held[i + 1],
  })
end
table.sort(items, function(a, b)
  if a.at ~= b.at then return a.at < b.at end
  return a.id < b.id
end)
local plan = cjson.decode(ARGV[2])
local released = {}
for _, item in ipairs(items) do
  local fills = { { '${PLACEHOLDERS.sender}', item.sender }, { '${PLACEHOLDERS.messageId}', item.id } }
  table.insert(fills, message_fills(item.message)[1])
  emit_plan(plan, fills)
  table.insert(released, item.at)
end
return released`;

export const DEDUPE_TTL_SECONDS = 86_400;

/** The field of a held message: its sender first, so a block can drop one sender's messages. */
export function heldField(senderId: string, messageId: string): string {
  return `${senderId}:${messageId}`;
}

export interface HeldMessagesStore {
  /** Record a created message: classify the facts for its recipient and carry out that fact's plan. */
  record(opts: {
    message: { _id: string; senderId: string; receiverId: string };
    /** The message JSON to hold or push (unless a recorded edit replaces it). */
    messageJson: string;
    plans: Plans<CreatedFact>;
    now: number;
    /** Identifies one delivery attempt across its retries (empty: none). */
    attempt?: string;
  }): Promise<RecordedFact>;
  /**
   * Set `userId` Available and release every message held for them: the plan is carried out once per
   * message, in creation order, with its placeholders filled. Returns their `createdAt`, in that order.
   */
  makeAvailable(userId: string, release: Plan): Promise<string[]>;
}

const FACTS: readonly string[] = ['available', 'busy', 'offline', 'blocked', 'deleted', 'duplicate'];

function isFact(value: unknown): value is RecordedFact {
  return typeof value === 'string' && FACTS.includes(value);
}

/** Holds (`chat:held-messages:{id}`) and delivery marks (`chat:delivered:{id}`), read with status. */
export function createHeldMessagesStore(redis: Redis): HeldMessagesStore {
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
      ];
      const args = [receiverId, now, messageJson, DEDUPE_TTL_SECONDS, attempt, JSON.stringify(plans)];
      const reply = await runScript(redis, RECORD, keys, [...args, senderId, heldField(senderId, _id)]);
      if (!isFact(reply)) throw new Error(`unexpected delivery script reply: ${String(reply)}`);
      return reply;
    },
    makeAvailable: async (userId, release) => {
      const keys = [redisKeys.status, redisKeys.heldMessages(userId)];
      return asStrings(await runScript(redis, MAKE_AVAILABLE, keys, [userId, JSON.stringify(release)]));
    },
  };
}
