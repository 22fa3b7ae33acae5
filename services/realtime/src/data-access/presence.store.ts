import {
  onlineExpiry,
  onlineUsers,
  PRESENCE_KEYS,
  prefixed,
  type Redis,
  redisKeys,
} from '@chat/shared/redis';
import type { Admission, AdmissionFact, AdmissionLimits, AdmissionRequest } from '../domain/admission.js';
import { asStrings, expectOneOf, runScript } from './lua.js';

/** ZSET nodeId → heartbeat expiry (ms): the live nodes, whose presence hashes count. */
export const PRESENCE_NODES_KEY = redisKeys.presenceNodes;
const NODE_PREFIX = redisKeys.presenceNode('');

// Counts the socket on this node and marks the user online; 1 when they were offline before.
const CONNECT = `
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[3], 'GT', ARGV[4], ARGV[6])
local old = redis.call('ZSCORE', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[2], 'GT', ARGV[3], ARGV[1])
if (not old) or tonumber(old) < tonumber(ARGV[2]) then return 1 end
return 0`;

// A handshake in one step: count it per client and per user (fixed windows), check the token's revocation
// and the user's sockets on every live node against the cap, then (admitted) count the socket like CONNECT
// and read what the greeting shows: the online users and the Busy ones among them with their until.
// Replies {fact} or {'admitted', cameOnline, online, busyIds, busyUntils ('' when none)}.
const ADMIT = `
local function over(key, limit)
  local n = redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[8]) end
  return n > tonumber(limit)
end
if over(KEYS[6], ARGV[9]) then return {'ipRate'} end
if over(KEYS[7], ARGV[10]) then return {'userRate'} end
if redis.call('EXISTS', KEYS[8]) == 1 then return {'revoked'} end
local mark = redis.call('GET', KEYS[9])
if mark and tonumber(ARGV[11]) <= tonumber(mark) then return {'revoked'} end
local sockets = 0
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[2], '+inf')) do
  local c = redis.call('HGET', ARGV[7] .. node, ARGV[1])
  if c then sockets = sockets + tonumber(c) end
end
if sockets >= tonumber(ARGV[12]) then return {'full'} end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[3], 'GT', ARGV[4], ARGV[6])
local old = redis.call('ZSCORE', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[2], 'GT', ARGV[3], ARGV[1])
local came = 0
if (not old) or tonumber(old) < tonumber(ARGV[2]) then came = 1 end
local online = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[2], '+inf')
local busy, untils = {}, {}
for _, user in ipairs(online) do
  if redis.call('HGET', KEYS[4], user) == 'Busy' then
    table.insert(busy, user)
    table.insert(untils, redis.call('ZSCORE', KEYS[5], user) or '')
  end
end
return {'admitted', came, online, busy, untils}`;

// Uncounts the socket; when no live node has one left, the user goes offline (1 if they were online).
const DISCONNECT = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n > 0 then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[2], '+inf')) do
  local c = redis.call('HGET', ARGV[3] .. node, ARGV[1])
  if c and tonumber(c) > 0 then return 0 end
end
local old = redis.call('ZSCORE', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if old and tonumber(old) >= tonumber(ARGV[2]) then return 1 end
return 0`;

// Heartbeat: rewrites this node's hash from its in-memory counts (healing it if a sweeper took the node
// for dead) and pushes its users' expiry; returns the users who had lapsed and are back online.
const REFRESH = `
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('DEL', KEYS[1])
local back = {}
for i = 6, #ARGV, 2 do
  local user = ARGV[i]
  redis.call('HSET', KEYS[1], user, ARGV[i + 1])
  local old = redis.call('ZSCORE', KEYS[2], user)
  redis.call('ZADD', KEYS[2], 'GT', ARGV[3], user)
  if (not old) or tonumber(old) < tonumber(ARGV[2]) then table.insert(back, user) end
end
if #ARGV >= 6 then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
return back`;

// Forgets dead nodes and removes lapsed users; returns the lapsed users exactly once across all sweepers.
const SWEEP = `
local before = '(' .. ARGV[1]
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', before)) do
  redis.call('DEL', ARGV[2] .. node)
  redis.call('ZREM', KEYS[2], node)
end
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', before)
if #lapsed > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', before) end
return lapsed`;

// Graceful leave: drops this node and returns its users who have no socket on another live node.
const LEAVE = `
local users = redis.call('HKEYS', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[3], ARGV[1])
local live = redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[2], '+inf')
local gone = {}
for _, user in ipairs(users) do
  local elsewhere = false
  for _, node in ipairs(live) do
    local c = redis.call('HGET', ARGV[3] .. node, user)
    if c and tonumber(c) > 0 then elsewhere = true break end
  end
  if not elsewhere then
    local old = redis.call('ZSCORE', KEYS[2], user)
    redis.call('ZREM', KEYS[2], user)
    if old and tonumber(old) >= tonumber(ARGV[2]) then table.insert(gone, user) end
  end
end
return gone`;

export interface PresenceStore {
  /** A handshake's checks, registration (like `connect`) and greeting reads in one step. */
  admit(
    request: AdmissionRequest,
    limits: AdmissionLimits,
    now: number,
  ): Promise<{ admission: Admission; cameOnline: boolean }>;
  /** Count a socket of `userId` on this node; true when the user just came online. */
  connect(userId: string, now: number): Promise<boolean>;
  /** Uncount it; true when that was the user's last socket on any live node. */
  disconnect(userId: string, now: number): Promise<boolean>;
  /** Heartbeat with this node's counts; returns users whose presence had lapsed. */
  refresh(counts: ReadonlyMap<string, number>, now: number): Promise<string[]>;
  /** Remove dead nodes and lapsed users; returns the users that went offline. */
  sweep(now: number): Promise<string[]>;
  /** Remove this node; returns the users left with no socket anywhere. */
  leave(now: number): Promise<string[]>;
  onlineUsers(now: number): Promise<string[]>;
}

/**
 * The writer of the presence contract (`@chat/shared/redis` presence.ts; see docs/architecture.md):
 * `chat:presence:online` scores are expiries (online ⇔ score ≥ now, the rule every script below applies),
 * each node keeps a hash of its local counts, and `chat:presence:nodes` tells live nodes from dead ones.
 * Every method is one script, so concurrent nodes agree on who made each online/offline transition.
 */
export function createPresenceStore(redis: Redis, opts: { nodeId: string; ttlMs: number }): PresenceStore {
  // The scripts build other nodes' hash names from this (with the deployment's prefix: not a KEYS entry).
  const nodePrefix = prefixed(redis, NODE_PREFIX);
  const nodeKey = redisKeys.presenceNode(opts.nodeId);
  const keys = [nodeKey, PRESENCE_KEYS.online, PRESENCE_NODES_KEY];
  // The hash outlives the heartbeat so a sweeper can still find it; it expires by itself regardless.
  const hashTtl = opts.ttlMs * 2;
  // The users' online expiry (the contract's rule) and this node's heartbeat expiry: the same horizon.
  const expiries = (now: number): [number, number] => {
    const expiry = onlineExpiry(now, opts.ttlMs);
    return [expiry, expiry];
  };
  const flag = async (lua: string, args: Array<string | number>) =>
    (await runScript(redis, lua, keys, args)) === 1;
  return {
    async admit(request, limits, now) {
      const { userId } = request;
      const admitKeys = [
        ...keys,
        PRESENCE_KEYS.status,
        PRESENCE_KEYS.statusUntil,
        redisKeys.rateLimit(`${limits.namespace}socket-handshake-ip`, request.client),
        redisKeys.rateLimit(`${limits.namespace}socket-handshake-user`, userId),
        redisKeys.denyList(request.jti),
        redisKeys.tokensRevokedBefore(userId),
      ];
      const args = [
        ...[userId, now, ...expiries(now), hashTtl, opts.nodeId, nodePrefix],
        ...[
          limits.windowMs,
          limits.handshakesPerIp,
          limits.handshakesPerUser,
          request.iat,
          limits.socketsPerUser,
        ],
      ];
      const reply = await runScript(redis, ADMIT, admitKeys, args);
      const parts = Array.isArray(reply) ? (reply as unknown[]) : [];
      const fact = expectOneOf<AdmissionFact>(parts[0], [
        'admitted',
        'ipRate',
        'userRate',
        'revoked',
        'full',
      ]);
      if (fact !== 'admitted') return { admission: { fact }, cameOnline: false };
      const untils = Array.isArray(parts[4]) ? (parts[4] as unknown[]) : [];
      const busy = new Map<string, number | null>();
      asStrings(parts[3]).forEach((id, i) => {
        const until = untils[i];
        busy.set(id, typeof until === 'string' && until !== '' ? Number(until) : null);
      });
      return {
        admission: { fact, greeting: { online: asStrings(parts[2]), busy } },
        cameOnline: parts[1] === 1,
      };
    },
    connect: (userId, now) => flag(CONNECT, [userId, now, ...expiries(now), hashTtl, opts.nodeId]),
    disconnect: (userId, now) => flag(DISCONNECT, [userId, now, nodePrefix]),
    async refresh(counts, now) {
      const pairs = [...counts].flat();
      const args = [opts.nodeId, now, ...expiries(now), hashTtl, ...pairs];
      return asStrings(await runScript(redis, REFRESH, keys, args));
    },
    sweep: async (now) =>
      asStrings(await runScript(redis, SWEEP, [PRESENCE_KEYS.online, PRESENCE_NODES_KEY], [now, nodePrefix])),
    leave: async (now) => asStrings(await runScript(redis, LEAVE, keys, [opts.nodeId, now, nodePrefix])),
    onlineUsers: (now) => onlineUsers(redis, now),
  };
}
