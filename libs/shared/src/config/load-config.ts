import type { z } from 'zod';
import { devDefaultSecrets } from './fragments.js';
import { formatIssue, readableReason } from './issues.js';

/** Thrown by `loadConfig`; `issues` holds one `KEY: reason` line per bad variable. */
export class ConfigError extends Error {
  readonly issues: string[];

  constructor(issues: string[]) {
    super(`Invalid configuration: ${issues.join('; ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function defaultSecretIssues(config: unknown, env: Record<string, string | undefined>): string[] {
  if (config === null || typeof config !== 'object') return [];
  const values = config as Record<string, unknown>;
  const mode = typeof values.NODE_ENV === 'string' ? values.NODE_ENV : env.NODE_ENV;
  if (mode !== 'production') return [];
  return Object.entries(values)
    .filter(([, value]) => typeof value === 'string' && devDefaultSecrets.has(value))
    .map(([key]) => `${key}: the development default secret is not allowed when NODE_ENV=production`);
}

// The internal caller token must not verify as a user token (nor the reverse): one leaked secret must not
// forge both, and a service must never accept one in place of the other.
function sharedSecretIssues(config: unknown): string[] {
  if (config === null || typeof config !== 'object') return [];
  const values = config as Record<string, unknown>;
  if (typeof values.JWT_SECRET !== 'string' || values.JWT_SECRET !== values.INTERNAL_TOKEN_SECRET) return [];
  return ['INTERNAL_TOKEN_SECRET: must differ from JWT_SECRET'];
}

/**
 * Parses `env` (default `process.env`) with `schema` and returns a deep-frozen result.
 * Every problem is collected into one `ConfigError`, including development-default secrets in production
 * (NODE_ENV defaults to production) and a JWT_SECRET equal to INTERNAL_TOKEN_SECRET.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.output<S>> {
  const result = schema.safeParse(env, { error: readableReason });
  if (!result.success) throw new ConfigError(result.error.issues.map(formatIssue));
  const secretIssues = [...defaultSecretIssues(result.data, env), ...sharedSecretIssues(result.data)];
  if (secretIssues.length > 0) throw new ConfigError(secretIssues);
  return deepFreeze(result.data);
}

/**
 * `loadConfig` for a service's entry point: a bad configuration prints one line per problem on stderr, with no
 * stack trace (it is the operator's to fix, not a bug), and exits with status 1 before anything connects.
 */
export function loadConfigOrExit<S extends z.ZodType>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.output<S>> {
  try {
    return loadConfig(schema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(
      `${service}: invalid configuration, not starting:\n${err.issues.map((i) => `  ${i}\n`).join('')}`,
    );
    process.exit(1);
  }
}
