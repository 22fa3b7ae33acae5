import type { RequestHandler } from 'express';

export type ReadinessChecks = Record<string, () => Promise<void> | void>;

export interface Readiness {
  /** Each throws (or rejects) when its dependency is not ready; one down makes /readyz answer 503. */
  checks: ReadinessChecks;
  /** Shown beside the checks but never failing /readyz: dependencies the service works without. */
  reported?: ReadinessChecks;
  /** More fields for the detailed reply (e.g. which upstream nodes are healthy). */
  details?: () => Record<string, unknown>;
  timeoutMs: number;
}

type Results = Record<string, 'up' | 'down'>;

function withTimeout(check: () => Promise<void> | void, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  // A check that throws synchronously counts as down, like one that rejects.
  const run = Promise.resolve().then(check);
  return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
}

/** Runs every check in parallel, each bounded by `timeoutMs`. */
async function runChecks(checks: ReadinessChecks, timeoutMs: number): Promise<Results> {
  const names = Object.keys(checks);
  const outcomes = await Promise.allSettled(
    names.map((name) => withTimeout(checks[name] ?? (() => {}), timeoutMs)),
  );
  const results: Results = {};
  names.forEach((name, i) => {
    results[name] = outcomes[i]?.status === 'fulfilled' ? 'up' : 'down';
  });
  return results;
}

/**
 * GET /readyz: 200 when every required check is up, else 503. The detailed reply names each check and adds
 * the details; the bare one says only `{ status }`, for a port that tells nothing about the inside.
 */
export function readinessHandler(readiness: Readiness, reply: 'detailed' | 'bare'): RequestHandler {
  return async (_req, res) => {
    const [required, reported] = await Promise.all([
      runChecks(readiness.checks, readiness.timeoutMs),
      reply === 'bare' ? {} : runChecks(readiness.reported ?? {}, readiness.timeoutMs),
    ]);
    const ready = Object.values(required).every((state) => state === 'up');
    const status = ready ? 'ready' : 'not ready';
    const body =
      reply === 'bare'
        ? { status }
        : { status, checks: { ...required, ...reported }, ...readiness.details?.() };
    res.status(ready ? 200 : 503).json(body);
  };
}
