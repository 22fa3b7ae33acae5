import { z } from 'zod';

/** Development defaults handed to `secret()`; `loadConfig` refuses them when NODE_ENV=production. */
export const devDefaultSecrets = new Set<string>();

// `KEY=` in a .env file means "unset", so empty strings fall back to the default.
function emptyAsUndefined(value: unknown): unknown {
  return value === '' ? undefined : value;
}

/**
 * NODE_ENV: production (default), development or test. Unset means production, so a deployment that forgets
 * it still refuses the development secrets and sets Secure cookies; local tooling and tests opt out explicitly.
 */
export const nodeEnv: z.ZodType<'development' | 'test' | 'production'> = z.preprocess(
  emptyAsUndefined,
  z.enum(['development', 'test', 'production']).default('production'),
);

/** LOG_LEVEL: a pino level or 'silent'; default 'info'. */
export const logLevel: z.ZodType<'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'> = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

/** A TCP port (0–65535, 0 = any free port), coerced from its string form; default `defaultPort`. */
export function port(defaultPort: number): z.ZodType<number> {
  return z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(defaultPort));
}

/** A URL of any scheme (mongodb, redis, amqp, http…), including multi-host forms; default `defaultUrl`. */
export function url(defaultUrl: string): z.ZodType<string> {
  return z.preprocess(
    emptyAsUndefined,
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
  return z.preprocess(emptyAsUndefined, z.string().min(32).default(devDefault));
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
