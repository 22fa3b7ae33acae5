import { type Redis, redisKeys } from '@chat/shared/redis';
import { runScript } from './lua.js';
import { type Plans, planArgs } from './plan.js';
import { EMIT_LUA } from './user-events.js';

// The event's mark and its emits in one step: a redelivery emits nothing, a crash loses nothing.
const ONCE = `${EMIT_LUA}
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
emit_plan(plan_for('applied', 2))
return 1`;

export interface EventsOnceStore {
  /** Carry out the `applied` plan unless `eventId` was applied before; false for a redelivery. */
  applyOnce(eventId: string, plans: Plans<'applied'>): Promise<boolean>;
}

export function createEventsOnceStore(redis: Redis, opts: { ttlSeconds: number }): EventsOnceStore {
  return {
    applyOnce: async (eventId, plans) =>
      (await runScript(
        redis,
        ONCE,
        [redisKeys.realtimeEventDone(eventId)],
        [opts.ttlSeconds, ...planArgs(plans)],
      )) === 1,
  };
}
