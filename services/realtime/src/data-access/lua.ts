import type { Redis } from '@chat/shared/redis';

/**
 * Runs a Lua script with plain EVAL. Not EVALSHA: its NOSCRIPT fallback re-sends the command later, which
 * could reorder it behind commands issued after it, and presence relies on one connection's order.
 */
export async function runScript(redis: Redis, lua: string, keys: string[], args: Array<string | number>) {
  return (await redis.eval(lua, keys.length, ...keys, ...args)) as unknown;
}

/** A script reply expected to be an array of strings (or an integer 0/1 for flags). */
export function asStrings(reply: unknown): string[] {
  return Array.isArray(reply) ? reply.filter((item): item is string => typeof item === 'string') : [];
}

/** A script reply expected to be one of `allowed`; anything else is a bug worth failing loudly. */
export function expectOneOf<T extends string>(reply: unknown, allowed: readonly T[]): T {
  if (typeof reply === 'string' && (allowed as readonly string[]).includes(reply)) return reply as T;
  throw new Error(`unexpected script reply: ${String(reply)}`);
}
