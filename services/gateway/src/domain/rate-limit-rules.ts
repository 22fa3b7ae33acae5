import { createHash } from 'node:crypto';

export interface RateRule {
  bucket: string;
  limit: number;
  windowMs: number;
}

export interface RateLimitStore {
  /** Counts one hit in the fixed window of `key`; returns the count so far and the ms left in the window. */
  hit(key: { bucket: string; id: string }, windowMs: number): Promise<{ count: number; ttlMs: number }>;
}

export interface RateLimitRules {
  loginPerIp: RateRule;
  loginPerUsername: RateRule;
  signupPerIp: RateRule;
  signupPerUsername: RateRule;
  apiPerUser: RateRule;
}

/**
 * Bucket id for a username: trimmed and lower-cased like the auth service compares them, hashed so a
 * client cannot write arbitrary text into Redis key names.
 */
export function usernameId(username: string): string {
  return createHash('sha256').update(username.trim().toLowerCase()).digest('hex').slice(0, 32);
}

/**
 * Counts a hit against every rule (fixed windows) and returns the seconds to wait if any is over its limit.
 * Every attempt counts, successful or not, so a correct guess cannot reset the per-username budget.
 */
export async function checkRateLimits(
  store: RateLimitStore,
  hits: ReadonlyArray<{ rule: RateRule; id: string }>,
): Promise<{ retryAfterSeconds: number } | undefined> {
  for (const { rule, id } of hits) {
    const { count, ttlMs } = await store.hit({ bucket: rule.bucket, id }, rule.windowMs);
    if (count > rule.limit) return { retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
  }
  return undefined;
}
