import type { Logger } from '@chat/shared/logger';
import { endBusyUntil, type StatusDeps } from '../../domain/status.js';

export interface StatusUntilPoller {
  stop(): Promise<void>;
}

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
  let running: Promise<void> | undefined;
  const poll = async () => {
    const now = (deps.now ?? Date.now)();
    for (const userId of await deps.status.dueUsers(now, BATCH)) {
      if (await endBusyUntil(deps, userId)) opts.logger.debug({ userId }, 'busy-until ended');
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = poll()
      .catch((err: unknown) => opts.logger.warn({ err }, 'busy-until poll failed'))
      .finally(() => {
        running = undefined;
      });
  }, opts.pollMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
