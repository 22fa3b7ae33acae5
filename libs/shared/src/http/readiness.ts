import type { RequestHandler } from 'express';

export type ReadinessChecks = Record<string, () => Promise<void> | void>;

function withTimeout(check: () => Promise<void> | void, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  // A check that throws synchronously counts as down, like one that rejects.
  const run = Promise.resolve().then(check);
  return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
}

/** GET /readyz: runs every check in parallel, each bounded by `timeoutMs`; 503 when any is down. */
export function readinessHandler(checks: ReadinessChecks, timeoutMs: number): RequestHandler {
  return async (_req, res) => {
    const names = Object.keys(checks);
    const outcomes = await Promise.allSettled(
      names.map((name) => withTimeout(checks[name] ?? (() => {}), timeoutMs)),
    );
    const results: Record<string, 'up' | 'down'> = {};
    names.forEach((name, i) => {
      results[name] = outcomes[i]?.status === 'fulfilled' ? 'up' : 'down';
    });
    const ready = Object.values(results).every((state) => state === 'up');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: results });
  };
}
