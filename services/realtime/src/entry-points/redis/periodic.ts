import type { Logger } from '@chat/shared/logger';

export interface PeriodicTask {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs`, never two runs at once (a slow run makes the next tick skip); a failed
 * run is logged as `failure` and the next tick tries again.
 */
export function startPeriodic(
  task: () => Promise<void>,
  opts: { intervalMs: number; logger: Logger; failure: string },
): PeriodicTask {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = task()
      .catch((err: unknown) => opts.logger.warn({ err }, opts.failure))
      .finally(() => {
        running = undefined;
      });
  }, opts.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
