import { redisKeys } from '@chat/shared/redis';
import { inScript } from './lua.js';
import { PLACEHOLDERS } from './plan.js';

/**
 * A node's pub/sub channel carrying the emits to users with a socket on that node; the node relays it to
 * its own sockets. Without the deployment's prefix: subscribers and publishers outside scripts use
 * `prefixed(redis, …)`.
 */
export const userEventsChannel = redisKeys.userEventsChannel;

/** A user's sequence keeps at least this many of their latest events (approximate trim, never fewer)… */
export const SEQ_KEEP_EVENTS = 1_000;
/** …and lives this long after their latest event (every recorded event renews it), then vanishes. */
export const SEQ_KEEP_MS = 86_400_000;

/**
 * The one place an emit to users leaves for the sockets, prepended to every script that emits:
 * `emit_plan(plan, fills)` publishes the plan's encoded emits in order, after putting each `fills` value
 * where the plan has its placeholder (see PLACEHOLDERS), in order, never searching inside a value already
 * put: the message, whose text is anyone's, must come last.
 * An emit goes only to the nodes holding a socket of an addressee: on each such node's channel, found from
 * the nodes' presence hashes in the same atomic step, so a socket counted before the step gets the emit and
 * a node without the addressees does no work for it (the cost of an emit does not grow with the nodes).
 * An emit marked `record` is recorded in each addressee's sequence (and only recorded when also `quiet`) (a
 * stream whose entry id is the event's `seq`) and published once per addressee with that `seq` in its
 * data: recording and publishing are one script, so they never disagree and a crash cannot record twice or
 * publish unrecorded.
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
-- The nodes with a presence hash (lapsed ones too: a late heartbeat still has its sockets), read once.
local emit_nodes
local function holding(users)
  if not emit_nodes then emit_nodes = redis.call('ZRANGE', '${inScript(redisKeys.presenceNodes)}', 0, -1) end
  local found = {}
  for _, node in ipairs(emit_nodes) do
    local hash = '${inScript(redisKeys.presenceNode(''))}' .. node
    for _, user in ipairs(users) do
      local count = redis.call('HGET', hash, user)
      if count and tonumber(count) > 0 then
        table.insert(found, node)
        break
      end
    end
  end
  return found
end
local function publish_to(users, emit)
  for _, node in ipairs(holding(users)) do
    redis.call('PUBLISH', '${inScript(userEventsChannel(''))}' .. node, emit)
  end
end
local function publish(emit)
  -- 'data' is the envelope's last key and nothing before it can contain the marker.
  local at = string.find(emit, ',"data":', 1, true)
  local head = cjson.decode(string.sub(emit, 1, at - 1) .. '}')
  if not head.record then
    publish_to(head.to, emit)
    return
  end
  local data = string.sub(emit, at + 8, #emit - 1)
  for _, user in ipairs(head.to) do
    local key = '${inScript(redisKeys.userSeq(''))}' .. user
    local seq = redis.call('XADD', key, 'MAXLEN', '~', ${SEQ_KEEP_EVENTS}, '*', 'e', head.event, 'd', data)
    redis.call('PEXPIRE', key, ${SEQ_KEEP_MS})
    if not head.quiet then
      publish_to({ user },
        '{"to":' .. cjson.encode({ user }) .. ',"event":"' .. head.event .. '","data":' .. with_seq(data, seq) .. '}')
    end
  end
end
-- The plan for \`fact\`, from the (fact, plan JSON) pairs at ARGV[from] onwards (see planArgs); only the one
-- carried out is decoded. None: nil.
local function plan_for(fact, from)
  for i = from, #ARGV - 1, 2 do
    if ARGV[i] == fact then return cjson.decode(ARGV[i + 1]) end
  end
  return nil
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
