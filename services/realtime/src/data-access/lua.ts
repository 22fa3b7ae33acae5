import { prefixOf, type Redis } from '@chat/shared/redis';

const PREFIX_MARK = '{{REDIS_PREFIX}}';

/**
 * A key or channel a script names itself (one it builds from data, or a pub/sub channel), written into the
 * script's text: runScript replaces the mark with the client's REDIS_PREFIX, which ioredis adds only to
 * KEYS. Pass keys as KEYS wherever they are known before the call.
 */
export function inScript(name: string): string {
  return PREFIX_MARK + name;
}

// Script text with the prefix in place, per prefix: built once, so each call costs one lookup.
const resolved = new Map<string, Map<string, string>>();

function withPrefix(lua: string, prefix: string): string {
  let scripts = resolved.get(prefix);
  if (!scripts) {
    scripts = new Map();
    resolved.set(prefix, scripts);
  }
  let text = scripts.get(lua);
  if (text === undefined) {
    text = lua.replaceAll(PREFIX_MARK, prefix);
    scripts.set(lua, text);
  }
  return text;
}

/**
 * Runs a Lua script with plain EVAL. Not EVALSHA: its NOSCRIPT fallback re-sends the command later, which
 * could reorder it behind commands issued after it, and presence relies on one connection's order.
 */
export async function runScript(redis: Redis, lua: string, keys: string[], args: Array<string | number>) {
  return (await redis.eval(withPrefix(lua, prefixOf(redis)), keys.length, ...keys, ...args)) as unknown;
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
