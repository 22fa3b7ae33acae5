import { Redis } from 'ioredis';
import type { Logger } from '../logger/index.js';

const MAX_BACKOFF_MS = 5_000;

/**
 * An ioredis client that reconnects forever (backoff capped at 5 s), fails a command after 2 retries
 * instead of queueing it indefinitely, and logs ready/reconnecting/error transitions instead of crashing.
 * `prefix` (the deployment's REDIS_PREFIX) is put before every key of every command, KEYS of scripts
 * included; channels and names built inside scripts take it from `prefixOf` (see keys.ts).
 */
export function createRedis(
  url: string,
  opts: {
    logger: Logger;
    name: string;
    lazy?: boolean;
    prefix?: string;
    /** Registers the client's close ({@link closeRedis}) with the owner's shutdown. */
    onClose?: (closer: () => Promise<void>) => void;
    /**
     * ioredis's auto-pipelining: commands issued while a batch is on its way go out together, in order, in
     * one write (one read and one reply write for Redis too). For clients that issue many independent
     * commands concurrently (a gateway checking every request).
     */
    autoPipelining?: boolean;
  },
): Redis {
  const log = opts.logger.child({ redis: opts.name });
  const redis = new Redis(url, {
    keyPrefix: opts.prefix ?? '',
    connectionName: opts.name,
    lazyConnect: opts.lazy ?? false,
    enableReadyCheck: true,
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => Math.min(attempt * 200, MAX_BACKOFF_MS),
    enableAutoPipelining: opts.autoPipelining ?? false,
  });
  // Log the first error of an outage only: ioredis repeats it on every reconnect attempt.
  let healthy = true;
  redis.on('ready', () => {
    healthy = true;
    log.info('redis ready');
  });
  redis.on('reconnecting', (delayMs: number) => log.warn({ delayMs }, 'redis reconnecting'));
  redis.on('error', (err: Error) => {
    if (!healthy) return;
    healthy = false;
    log.error({ err }, 'redis error');
  });
  opts.onClose?.(() => closeRedis(redis));
  return redis;
}

/** QUIT (replies already asked for still arrive), or a plain disconnect when Redis cannot answer it. */
export async function closeRedis(redis: Redis): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}

/** Readiness check: resolves when Redis answers PING within `timeoutMs`, throws otherwise. */
export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  if (redis.status !== 'ready') throw new Error(`redis is ${redis.status}`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis ping timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([redis.ping(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `text` as a SCAN pattern that matches only itself: glob characters are escaped. */
const literalPattern = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * The keys under `prefix`, in SCAN batches (a key written meanwhile may or may not be seen, as with SCAN);
 * `redis` must be a client without a key prefix of its own.
 */
export async function* keysUnder(redis: Redis, prefix: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${literalPattern(prefix)}*`, 'COUNT', 1000);
    if (keys.length > 0) yield keys;
    cursor = next;
  } while (cursor !== '0');
}

/**
 * Deletes every key under `prefix` (UNLINK each SCAN batch) and returns how many went. Only for a prefix
 * that is a whole throwaway deployment's (a local stack's or a bench run's, which nothing reads once it
 * stopped).
 */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<number> {
  if (prefix === '') throw new Error('deleteKeysUnder needs a prefix: it would delete every key');
  let deleted = 0;
  for await (const keys of keysUnder(redis, prefix)) deleted += await redis.unlink(...keys);
  return deleted;
}
