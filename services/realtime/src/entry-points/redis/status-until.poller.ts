import type { Logger } from '@chat/shared/logger';
import { endBusyUntil, type StatusDeps } from '../../domain/status.js';
import { type PeriodicTask, startPeriodic } from './periodic.js';

export type StatusUntilPoller = PeriodicTask;

const BATCH = 100;

/**
 * The Busy-until clock lives in Redis (`chat:status-until`), not in a process: every node polls it and
 * each due user is claimed by one script (see endBusyUntil), so a user comes back exactly once, on
 * whichever node, even when the node that accepted the status is gone.
 */
export function startStatusUntilPoller(
  deps: StatusDeps,
  opts: { pollMs: number; logger: Logger },
): StatusUntilPoller {
  const poll = async () => {
    const now = (deps.now ?? Date.now)();
    for (const userId of await deps.status.dueUsers(now, BATCH)) {
      if (await endBusyUntil(deps, userId)) opts.logger.debug({ userId }, 'busy-until ended');
    }
  };
  return startPeriodic(poll, {
    intervalMs: opts.pollMs,
    logger: opts.logger,
    failure: 'busy-until poll failed',
  });
}
