import { redisKeys } from '@chat/shared/redis';
import { inScript } from './lua.js';
import { PLACEHOLDERS } from './plan.js';

/**
 * Pub/sub channel carrying every emit to users; each node relays it to its own sockets. Without the
 * deployment's prefix: subscribers and publishers outside scripts use `prefixed(redis, …)`.
 */
export const USER_EVENTS_CHANNEL = redisKeys.userEventsChannel;

/** A user's sequence keeps at least this many of their latest events (approximate trim, never fewer)… */
export const SEQ_KEEP_EVENTS = 1_000;
/** …and lives this long after their latest event (every recorded event renews it), then vanishes. */
export const SEQ_KEEP_MS = 86_400_000;

/**
 * The one place an emit to users leaves for the sockets, prepended to every script that emits:
 * `emit_plan(plan, fills)` publishes the plan's encoded emits in order on the user-events channel, after
 * putting each `fills` value where the plan has its placeholder (see PLACEHOLDERS), in order, never
 * searching inside a value already put: the message, whose text is anyone's, must come last.
 * An emit marked `record` is recorded in each addressee's sequence (and only recorded when also `quiet`) (a stream whose entry id is the
 * event's `seq`) and published once per addressee with that `seq` in its data: recording and publishing
 * are one script, so they never disagree and a crash cannot record twice or publish unrecorded.
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
local function with_seq(data, seq)
  if data == '{}' then return '{"seq":"' .. seq .. '"}' end
  return '{"seq":"' .. seq .. '",' .. string.sub(data, 2)
end
local function publish(emit)
  -- 'data' is the envelope's last key and nothing before it can contain the marker.
  local at = string.find(emit, ',"data":', 1, true)
  local head = cjson.decode(string.sub(emit, 1, at - 1) .. '}')
  if not head.record then
    redis.call('PUBLISH', '${inScript(USER_EVENTS_CHANNEL)}', emit)
    return
  end
  local data = string.sub(emit, at + 8, #emit - 1)
  for _, user in ipairs(head.to) do
    local key = '${inScript(redisKeys.userSeq(''))}' .. user
    local seq = redis.call('XADD', key, 'MAXLEN', '~', ${SEQ_KEEP_EVENTS}, '*', 'e', head.event, 'd', data)
    redis.call('PEXPIRE', key, ${SEQ_KEEP_MS})
    if not head.quiet then
      redis.call('PUBLISH', '${inScript(USER_EVENTS_CHANNEL)}',
        '{"to":' .. cjson.encode({ user }) .. ',"event":"' .. head.event .. '","data":' .. with_seq(data, seq) .. '}')
    end
  end
end
local function emit_plan(plan, fills)
  if not plan then return end
  for _, emit in ipairs(plan.emits) do
    if fills then emit = fill(emit, fills) end
    publish(emit)
  end
end
local function message_fills(message)
  return { { '"${PLACEHOLDERS.message}"', message } }
end
`;
