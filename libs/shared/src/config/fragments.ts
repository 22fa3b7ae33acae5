import { z } from 'zod';

/** Development defaults handed to `secret()`; `loadConfig` refuses them when NODE_ENV=production. */
export const devDefaultSecrets = new Set<string>();

// `KEY=` in a .env file means "unset", so empty strings fall back to the default.
function emptyAsUndefined(value: unknown): unknown {
  return value === '' ? undefined : value;
}

/** `schema` with an empty variable (`KEY=` in a .env file) read as unset: its default, or undefined. */
export function emptyAsUnset<T extends z.ZodType>(schema: T): z.ZodPreprocess<T> {
  return z.preprocess(emptyAsUndefined, schema);
}

/**
 * NODE_ENV: production (default), development or test. Unset means production, so a deployment that forgets
 * it still refuses the development secrets and sets Secure cookies; local tooling and tests opt out explicitly.
 */
export const nodeEnv: z.ZodType<'development' | 'test' | 'production'> = emptyAsUnset(
  z.enum(['development', 'test', 'production']).default('production'),
);

/** LOG_LEVEL: a pino level or 'silent'; default 'info'. */
export const logLevel: z.ZodType<'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'> = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

/** A TCP port (0–65535, 0 = any free port), coerced from its string form; default `defaultPort`. */
export function port(defaultPort: number): z.ZodType<number> {
  return emptyAsUnset(z.coerce.number().int().min(0).max(65535).default(defaultPort));
}

/** A URL of any scheme (mongodb, redis, amqp, http…), including multi-host forms; default `defaultUrl`. */
export function url(defaultUrl: string): z.ZodType<string> {
  return emptyAsUnset(
    z
      .string()
      .regex(/^[a-z][a-z0-9+.-]*:\/\/\S+$/i, { error: 'must be a URL like scheme://host' })
      .default(defaultUrl),
  );
}

/**
 * A secret of at least 32 characters. `devDefault` keeps development and tests zero-config;
 * `loadConfig` rejects it when NODE_ENV=production (the default).
 */
export function secret(devDefault: string): z.ZodType<string> {
  devDefaultSecrets.add(devDefault);
  return emptyAsUnset(z.string().min(32).default(devDefault));
}

/**
 * AMQP_NAMESPACE: prefix of every exchange and queue name (lowercase letters, digits, dashes), so two
 * stacks sharing one RabbitMQ (say, a test run beside a local stack) never consume each other's events.
 * Default: none.
 */
export const amqpNamespace: z.ZodType<string> = z.preprocess(
  (value: unknown) => (value === undefined ? '' : value),
  z.string().regex(/^[a-z0-9-]*$/, { error: 'only lowercase letters, digits and dashes' }),
);

/**
 * REDIS_PREFIX: put before every Redis key, pub/sub channel and the Socket.IO adapter's channels of one
 * deployment (letters, digits, `.`, `_`, `:`, `-`; up to 64), so two stacks on one Redis (a test run beside a
 * local stack, a bench beside a test run) never see each other. Default: none, which keeps the names
 * deployments have always used (`chat:…`, `socket.io#…`).
 */
export const redisPrefix: z.ZodType<string> = z.preprocess(
  (value: unknown) => (value === undefined ? '' : value),
  z.string().regex(/^[A-Za-z0-9._:-]{0,64}$/, {
    error: 'up to 64 letters, digits, ".", "_", ":" or "-"',
  }),
);

/** HOST: the interface a service listens on; default every interface (`0.0.0.0`). */
export function host(): z.ZodType<string> {
  return emptyAsUnset(z.string().min(1).default('0.0.0.0'));
}

/** MONGO_DB: the service's MongoDB database (1–63 letters, digits, `_` or `-`); default `defaultName`. */
export function dbName(defaultName: string): z.ZodType<string> {
  return emptyAsUnset(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,63}$/, { error: 'must be 1-63 characters of letters, digits, _ or -' })
      .default(defaultName),
  );
}

/**
 * A comma-separated list of URLs, each reduced to its origin (`scheme://host:port`), at least one; default
 * `defaultList` (same form). Serves allowed browser origins as well as replica lists.
 */
export function originList(defaultList: string): z.ZodType<string[]> {
  return emptyAsUnset(
    z
      .string()
      .default(defaultList)
      .transform((raw, ctx) => {
        const items = raw
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0);
        const origins: string[] = [];
        for (const item of items) {
          try {
            origins.push(new URL(item).origin);
          } catch {
            ctx.addIssue({ code: 'custom', message: `"${item}" is not a URL` });
          }
        }
        if (items.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one URL is required' });
        return origins;
      }),
  );
}

/** CORS_ORIGINS: the browser origins allowed to call the API and open sockets; default the local dev servers. */
export const corsOrigins: z.ZodType<string[]> = originList(
  'http://localhost:5000,http://localhost:3000,http://localhost:5173',
);

/** The bounds of a whole-number setting; `min` defaults to 1. */
export interface Range {
  min?: number;
  max?: number;
}

/** A whole number within `range` (default: at least 1), coerced from its string form; default `defaultValue`. */
export function count(defaultValue: number, range: Range = {}): z.ZodType<number> {
  let schema = z.coerce
    .number()
    .int()
    .min(range.min ?? 1);
  if (range.max !== undefined) schema = schema.max(range.max);
  return emptyAsUnset(schema.default(defaultValue));
}

/** A duration in milliseconds: a whole number within `range` (default: at least 1); default `defaultMs`. */
export function milliseconds(defaultMs: number, range: Range = {}): z.ZodType<number> {
  return count(defaultMs, range);
}

/**
 * RATE_LIMIT_NAMESPACE: prefix of the rate-limit buckets (up to 64 letters, digits, `_` or `-`), so separate
 * deployments (or test runs) sharing a Redis don't collide. Default: none.
 */
export const rateLimitNamespace: z.ZodType<string> = emptyAsUnset(
  z
    .string()
    .regex(/^[\w-]{0,64}$/)
    .default(''),
);
