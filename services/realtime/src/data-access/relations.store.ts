import { type Redis, redisKeys } from '@chat/shared/redis';
import { expectOneOf, runScript } from './lua.js';
import { type Plans, planArgs, type TypingFact } from './plan.js';
import { EMIT_LUA } from './user-events.js';

// Applied once per event id, and only when newer than the last change of the same pair: a block and
// an unblock consumed out of order (two queues) end in the state of the later one. A block also drops
// what the blocker holds from the blocked user (the hold fields start with the sender id).
const CHANGE_BLOCK = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return {'duplicate', 0} end
local last = redis.call('HGET', KEYS[2], ARGV[2])
if last and last >= ARGV[3] then return {'stale', 0} end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
if ARGV[4] ~= 'block' then
  redis.call('SREM', KEYS[3], ARGV[2])
  return {'applied', 0}
end
redis.call('SADD', KEYS[3], ARGV[2])
local prefix = ARGV[2] .. ':'
local dropped = 0
for _, field in ipairs(redis.call('HKEYS', KEYS[4])) do
  if string.sub(field, 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[4], field)
    redis.call('ZREM', KEYS[5], field)
    dropped = dropped + 1
  end
end
return {'applied', dropped}`;

// Forward only to an online, Available recipient when neither blocks the other; 'typing: true' at most
// once per throttle window per pair (the window's mark is the only thing kept).
const TYPING = `${EMIT_LUA}
local fact = 'forwarded'
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) < tonumber(ARGV[3]) or redis.call('HGET', KEYS[2], ARGV[1]) == 'Busy' then
  fact = 'unavailable'
elseif redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 or redis.call('SISMEMBER', KEYS[4], ARGV[2]) == 1 then
  fact = 'unavailable'
elseif ARGV[4] == '1' and not redis.call('SET', KEYS[5], '1', 'NX', 'PX', ARGV[5]) then
  fact = 'throttled'
end
emit_plan(plan_for(fact, 6))
return fact`;

export type BlockChange = 'block' | 'unblock';

export interface RelationsStore {
  /** Apply a block change; `dropped` counts the held messages a block removed. */
  changeBlock(opts: {
    eventId: string;
    occurredAt: string;
    blockerId: string;
    blockedId: string;
    change: BlockChange;
  }): Promise<{ fact: 'applied' | 'stale' | 'duplicate'; dropped: number }>;
  typing(opts: {
    from: string;
    to: string;
    typing: boolean;
    now: number;
    plans: Plans<TypingFact>;
  }): Promise<TypingFact>;
}

/** Blocks (`chat:blocks:{id}`, `chat:block-changes:{id}`) and the typing throttle. */
export function createRelationsStore(
  redis: Redis,
  opts: { ttlSeconds: number; typingThrottleMs: number },
): RelationsStore {
  return {
    async changeBlock({ eventId, occurredAt, blockerId, blockedId, change }) {
      const keys = [
        redisKeys.realtimeEventDone(eventId),
        redisKeys.blockChanges(blockerId),
        redisKeys.blocks(blockerId),
        redisKeys.heldMessages(blockerId),
        redisKeys.heldOrder(blockerId),
      ];
      const reply = await runScript(redis, CHANGE_BLOCK, keys, [
        opts.ttlSeconds,
        blockedId,
        occurredAt,
        change,
      ]);
      const [fact, dropped] = Array.isArray(reply) ? reply : [];
      return {
        fact: expectOneOf(fact, ['applied', 'stale', 'duplicate'] as const),
        dropped: typeof dropped === 'number' ? dropped : 0,
      };
    },
    async typing({ from, to, typing, now, plans }) {
      const keys = [
        redisKeys.presenceOnline,
        redisKeys.status,
        redisKeys.blocks(from),
        redisKeys.blocks(to),
        redisKeys.typingThrottle(from, to),
      ];
      const args = [to, from, now, typing ? '1' : '0', opts.typingThrottleMs, ...planArgs(plans)];
      const reply = await runScript(redis, TYPING, keys, args);
      return expectOneOf(reply, ['forwarded', 'unavailable', 'throttled'] as const);
    },
  };
}
