import { redisKeys } from '@chat/shared/redis';
import { PLACEHOLDERS } from './plan.js';

/** Pub/sub channel carrying every emit to users; each node relays it to its own sockets. */
export const USER_EVENTS_CHANNEL = redisKeys.userEventsChannel;

/**
 * The one place an emit to users leaves for the sockets, prepended to every script that emits:
 * `emit_plan(plan, fills)` publishes the plan's encoded emits in order on the user-events channel, after
 * putting each `fills` value where the plan has its placeholder (see PLACEHOLDERS), in order, never
 * searching inside a value already put: the message, whose text is anyone's, must come last. A per-user
 * sequence would be recorded here.
 */
export const EMIT_LUA = `
local function fill(emit, fills)
  for _, pair in ipairs(fills) do
    local placeholder, value = pair[1], pair[2]
    local i, j = string.find(emit, placeholder, 1, true)
    while i do
      emit = string.sub(emit, 1, i - 1) .. value .. string.sub(emit, j + 1)
      i, j = string.find(emit, placeholder, i + #value, true)
    end
  end
  return emit
end
local function emit_plan(plan, fills)
  if not plan then return end
  for _, emit in ipairs(plan.emits) do
    if fills then emit = fill(emit, fills) end
    redis.call('PUBLISH', '${USER_EVENTS_CHANNEL}', emit)
  end
end
local function message_fills(message)
  return { { '"${PLACEHOLDERS.message}"', message } }
end
`;
