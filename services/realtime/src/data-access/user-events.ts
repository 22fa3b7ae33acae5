import { type Redis, redisKeys } from '@chat/shared/redis';
import { runScript } from './lua.js';
import { STORED_MESSAGE } from './plan.js';

/** Pub/sub channel carrying every emit to users; each node relays it to its own sockets. */
export const USER_EVENTS_CHANNEL = redisKeys.userEventsChannel;

/**
 * The one place an emit to users leaves for the sockets, prepended to every script that emits:
 * `emit_plan(plan, message)` publishes the plan's encoded emits in order, putting the stored message
 * where the plan has the STORED_MESSAGE placeholder. (A per-user sequence would be recorded here.)
 */
export const EMIT_LUA = `
local function emit_plan(plan, message)
  if not plan then return end
  for _, emit in ipairs(plan.emits) do
    if message then
      local i, j = string.find(emit, '"${STORED_MESSAGE}"', 1, true)
      if i then emit = string.sub(emit, 1, i - 1) .. message .. string.sub(emit, j + 1) end
    end
    redis.call('PUBLISH', '${USER_EVENTS_CHANNEL}', emit)
  end
end
`;

const EMIT = `${EMIT_LUA}
emit_plan(cjson.decode(ARGV[1]))
return 1`;

/** Sends already-encoded emits, in order (where no store script carries them). */
export interface UserEmitter {
  emit(encoded: string[]): Promise<void>;
}

/** Emits that no state change carries (the release of held messages), through the same Lua. */
export function createUserEmitter(redis: Redis): UserEmitter {
  return {
    async emit(encoded) {
      if (encoded.length === 0) return;
      // The plan is built as JSON text: the emits are already JSON strings.
      const plan = `{"hold":false,"emits":[${encoded.map((emit) => JSON.stringify(emit)).join(',')}]}`;
      await runScript(redis, EMIT, [], [plan]);
    },
  };
}
