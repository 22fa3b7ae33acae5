import { redisKeys } from '@chat/shared/redis';
import { inScript } from './lua.js';
import { PLACEHOLDERS } from './plan.js';
import { EMIT_LUA } from './user-events.js';

/**
 * Switching a user to Available, taking the hold and emitting it happen in one step: a delivery recorded
 * on any node is either in the hold (released here) or sees Available (pushed live), a crash cannot take
 * the hold without emitting it, and an edit or deletion applied on any node comes before the release (the
 * held copy had its text) or after it. The Busy-until timer is cancelled in the same step; in `due` mode
 * the step happens only while that timer is still set and due, so exactly one node claims it.
 * The v1 hold (a LIST of whole `message.created` events) is drained too, minus deleted messages.
 * KEYS: status, held hash, held order, dropped count, v1 list, status-until.
 * ARGV: userId, release plan, mode ('now' | 'due'), now (ms).
 * Returns false (not due) or {wasBusy, createdAt...} in release order.
 */
export const MAKE_AVAILABLE = `${EMIT_LUA}
if ARGV[3] == 'due' then
  local due = redis.call('ZSCORE', KEYS[6], ARGV[1])
  if not due or tonumber(due) > tonumber(ARGV[4]) then return false end
end
redis.call('ZREM', KEYS[6], ARGV[1])
local was = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], 'Available')
local held = redis.call('HGETALL', KEYS[2])
local dropped = tonumber(redis.call('GET', KEYS[4]) or '0')
local legacy = redis.call('LRANGE', KEYS[5], 0, -1)
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
local items, seen = {}, {}
for i = 1, #held, 2 do
  local bar = string.find(held[i], ':', 1, true)
  local id = string.sub(held[i], bar + 1)
  seen[id] = true
  table.insert(items, {
    sender = string.sub(held[i], 1, bar - 1),
    id = id,
    at = string.match(held[i + 1], '"createdAt":"([^"]*)"') or '',
    message = held[i + 1],
  })
end
for _, raw in ipairs(legacy) do
  local ok, event = pcall(cjson.decode, raw)
  local m = ok and type(event) == 'table' and event.message
  if type(m) == 'table' and type(m._id) == 'string' and type(m.senderId) == 'string' and not seen[m._id] then
    seen[m._id] = true
    local fate = redis.call('HMGET', '${inScript(redisKeys.messageFate(''))}' .. m._id, 'deleted', 'message')
    if not fate[1] then
      local at = type(m.createdAt) == 'string' and m.createdAt or ''
      table.insert(items, { sender = m.senderId, id = m._id, at = at, message = fate[2] or cjson.encode(m) })
    end
  end
end
table.sort(items, function(a, b)
  if a.at ~= b.at then return a.at < b.at end
  return a.id < b.id
end)
local plan = cjson.decode(ARGV[2])
if was == 'Busy' or #items > 0 or dropped > 0 then
  local counts, senders = {}, {}
  for _, item in ipairs(items) do
    if not counts[item.sender] then table.insert(senders, item.sender) counts[item.sender] = 0 end
    counts[item.sender] = counts[item.sender] + 1
  end
  local from = {}
  for _, sender in ipairs(senders) do
    table.insert(from, '{"userId":' .. cjson.encode(sender) .. ',"count":' .. counts[sender] .. '}')
  end
  local summary = '{"total":' .. #items .. ',"dropped":' .. dropped .. ',"from":[' .. table.concat(from, ',') .. ']}'
  emit_plan(plan.summary, { { '"${PLACEHOLDERS.summary}"', summary } })
end
local released = { was == 'Busy' and 1 or 0 }
for _, item in ipairs(items) do
  local fills = { { '${PLACEHOLDERS.sender}', item.sender }, { '${PLACEHOLDERS.messageId}', item.id } }
  table.insert(fills, message_fills(item.message)[1])
  emit_plan(plan.each, fills)
  table.insert(released, item.at)
end
return released`;
