import { type Redis, redisKeys } from '@chat/shared/redis';
import { heldField } from './held-messages.store.js';
import { expectOneOf, runScript } from './lua.js';
import { type DeletedFact, type Plans, planArgs, type UpdatedFact } from './plan.js';
import { EMIT_LUA } from './user-events.js';

// Each change is applied once per event id, atomically with its emits. The message's fate (latest edit,
// or deleted) is remembered for `ttl` so a creation consumed later releases the final text or nothing;
// a held copy is rewritten (edit) or removed (delete) in the same step.
const UPDATE = `${EMIT_LUA}
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 'duplicate' end
local fate = redis.call('HMGET', KEYS[2], 'deleted', 'editedAt')
local fact
if fate[1] then
  fact = 'deleted'
elseif fate[2] and fate[2] >= ARGV[2] then
  fact = 'stale'
else
  redis.call('HSET', KEYS[2], 'editedAt', ARGV[2], 'message', ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[1])
  if redis.call('HEXISTS', KEYS[3], ARGV[4]) == 1 then
    redis.call('HSET', KEYS[3], ARGV[4], ARGV[3])
    fact = 'held'
  else
    fact = 'applied'
  end
end
emit_plan(plan_for(fact, 5))
return fact`;

// The edit's text is dropped with the deletion: a deleted message's text is not kept anywhere.
const DELETE = `${EMIT_LUA}
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 'duplicate' end
local fact
if redis.call('HGET', KEYS[2], 'deleted') then
  fact = 'already'
else
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[2], 'deleted', '1')
  redis.call('EXPIRE', KEYS[2], ARGV[1])
  if redis.call('HDEL', KEYS[3], ARGV[2]) == 1 then
    redis.call('ZREM', KEYS[4], ARGV[2])
    fact = 'held'
  else
    fact = 'applied'
  end
end
emit_plan(plan_for(fact, 3))
return fact`;

interface MessageRef {
  _id: string;
  senderId: string;
  receiverId: string;
}

export interface MessageChangesStore {
  update(opts: {
    eventId: string;
    message: MessageRef & { editedAt: string };
    messageJson: string;
    plans: Plans<UpdatedFact>;
  }): Promise<UpdatedFact | 'duplicate'>;
  remove(opts: {
    eventId: string;
    message: MessageRef;
    plans: Plans<DeletedFact>;
  }): Promise<DeletedFact | 'duplicate'>;
}

const keysOf = (eventId: string, message: MessageRef) => [
  redisKeys.realtimeEventDone(eventId),
  redisKeys.messageFate(message._id),
  redisKeys.heldMessages(message.receiverId),
  redisKeys.heldOrder(message.receiverId),
];

/** Message fates (`chat:message-fate:{id}`) and holds, changed once per event id. */
export function createMessageChangesStore(redis: Redis, opts: { ttlSeconds: number }): MessageChangesStore {
  return {
    async update({ eventId, message, messageJson, plans }) {
      const field = heldField(message.senderId, message._id);
      const args = [opts.ttlSeconds, message.editedAt, messageJson, field, ...planArgs(plans)];
      const reply = await runScript(redis, UPDATE, keysOf(eventId, message), args);
      return expectOneOf(reply, ['applied', 'held', 'stale', 'deleted', 'duplicate'] as const);
    },
    async remove({ eventId, message, plans }) {
      const args = [opts.ttlSeconds, heldField(message.senderId, message._id), ...planArgs(plans)];
      const reply = await runScript(redis, DELETE, keysOf(eventId, message), args);
      return expectOneOf(reply, ['applied', 'held', 'already', 'duplicate'] as const);
    },
  };
}
