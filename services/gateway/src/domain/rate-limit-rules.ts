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
  /** Attempts on one username from one client: the brute-force limit, and all that an attacker can spend. */
  loginPerUsernameIp: RateRule;
  /** Attempts on one username from every client: a much higher ceiling against distributed guessing. */
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

/** Bucket id for a (username, client) pair; hashed for the same reason as `usernameId`. */
export function usernameClientId(username: string, client: string): string {
  return createHash('sha256')
    .update(username.trim().toLowerCase())
    .update('\0')
    .update(client)
    .digest('hex')
    .slice(0, 32);
}

/**
 * Counts a hit against every rule (fixed windows) and returns the seconds to wait if any is over its limit.
 * Every attempt counts, successful or not, so a correct guess cannot reset the per-username budget. Rules
 * are counted in order and a refused hit stops there, so attempts already refused by a narrower rule do not
 * use up a wider one (an attacker throttled per (username, IP) cannot drain the owner's global budget).
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
