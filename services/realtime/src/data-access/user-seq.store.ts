import { type Redis, redisKeys } from '@chat/shared/redis';
import { runScript } from './lua.js';
import { SEQ_KEEP_MS } from './user-events.js';

// Read-only. Stream ids compare as (ms, n). `since` is older than what is kept when events after it may
// have left: entries were trimmed and `since` is before the first kept one, or the stream expired (every
// event renews it, so an absent stream means no event for SEQ_KEEP_MS) and a new one began at least that
// long after `since`. With no stream, the current seq is "just before now": any later event is after it.
// Returns {seq, 'resync'} or {seq, 'events', id1, event1, data1, ...}.
const READ = `
local function parse(id)
  local ms, n = string.match(id, '^(%d+)-(%d+)$')
  return { tonumber(ms), tonumber(n) }
end
local function before(a, b)
  return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2])
end
local keep = tonumber(ARGV[2])
local since = ARGV[1] ~= '' and parse(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local seq = (now - 1) .. '-0'
  if since and since[1] < now - keep then return { seq, 'resync' } end
  return { seq, 'events' }
end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local fields = {}
for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
local last = fields['last-generated-id']
if not since then return { last, 'events' } end
local first = parse(fields['first-entry'][1])
local trimmed = tonumber(fields['entries-added']) > tonumber(fields['length'])
if (trimmed and before(since, first)) or since[1] + keep <= first[1] then return { last, 'resync' } end
local reply = { last, 'events' }
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+')) do
  local values = {}
  for i = 1, #entry[2], 2 do values[entry[2][i]] = entry[2][i + 1] end
  table.insert(reply, entry[1])
  table.insert(reply, values.e or '')
  table.insert(reply, values.d or '{}')
end
return reply`;

export interface RecordedEvent {
  seq: string;
  event: string;
  /** The event's data as emitted, without its `seq`. */
  dataJson: string;
}

export type SeqRead = { seq: string; events: RecordedEvent[] } | { seq: string; resync: true };

export interface UserSeqStore {
  /** The events recorded for `userId` after `since` ('' = none, just the current seq). Changes nothing. */
  readSince(userId: string, since: string): Promise<SeqRead>;
}

/** Per-user event sequences (`chat:seq:{id}` streams), written by the emit step (see user-events.ts). */
export function createUserSeqStore(redis: Redis): UserSeqStore {
  return {
    async readSince(userId, since) {
      const reply = await runScript(redis, READ, [redisKeys.userSeq(userId)], [since, SEQ_KEEP_MS]);
      if (!Array.isArray(reply) || typeof reply[0] !== 'string') throw new Error('unexpected sync reply');
      const seq = reply[0];
      if (reply[1] === 'resync') return { seq, resync: true };
      const events: RecordedEvent[] = [];
      for (let i = 2; i + 2 < reply.length; i += 3) {
        events.push({ seq: String(reply[i]), event: String(reply[i + 1]), dataJson: String(reply[i + 2]) });
      }
      return { seq, events };
    },
  };
}
