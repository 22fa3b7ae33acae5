import { logLevel, nodeEnv, port, redisPrefix, secret, url } from '@chat/shared/config';
import { z } from 'zod';

// `KEY=` in a .env file means "unset".
const unsetIfEmpty = (value: unknown): unknown => (value === '' ? undefined : value);

function urlList(defaultValue: string, key: string) {
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .default(defaultValue)
      .transform((raw, ctx) => {
        const items = raw
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0);
        const parsed: string[] = [];
        for (const item of items) {
          try {
            parsed.push(new URL(item).origin);
          } catch {
            ctx.addIssue({ code: 'custom', message: `${key}: "${item}" is not a URL` });
          }
        }
        if (items.length === 0)
          ctx.addIssue({ code: 'custom', message: `${key}: at least one URL is required` });
        return parsed;
      }),
  );
}

function positiveInt(defaultValue: number) {
  return z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).default(defaultValue));
}

export const configSchema = z.object({
  NODE_ENV: nodeEnv,
  LOG_LEVEL: logLevel,
  PORT: port(5000),
  HOST: z.preprocess(unsetIfEmpty, z.string().default('0.0.0.0')),
  REDIS_URL: url('redis://127.0.0.1:6379'),
  REDIS_PREFIX: redisPrefix,
  JWT_SECRET: secret('dev-only-jwt-secret-change-me-000000000'),
  INTERNAL_TOKEN_SECRET: secret('dev-only-internal-secret-change-me-0000'),
  CORS_ORIGINS: urlList('http://localhost:5000,http://localhost:3000,http://localhost:5173', 'CORS_ORIGINS'),
  /**
   * Each REST upstream: a comma list of replicas, or one URL whose hostname resolves (DNS) to every replica
   * (a compose service scaled up, a headless Kubernetes Service). Requests are spread round-robin.
   */
  AUTH_URL: urlList('http://127.0.0.1:5001', 'AUTH_URL'),
  USERS_URL: urlList('http://127.0.0.1:5002', 'USERS_URL'),
  MESSAGES_URL: urlList('http://127.0.0.1:5003', 'MESSAGES_URL'),
  UPSTREAM_HEALTH_INTERVAL_MS: positiveInt(2_000),
  UPSTREAM_DNS_INTERVAL_MS: positiveInt(10_000),
  /** A comma list of nodes, or one URL whose hostname resolves (DNS) to every node. */
  REALTIME_URLS: urlList('http://127.0.0.1:5004', 'REALTIME_URLS'),
  REALTIME_HEALTH_INTERVAL_MS: positiveInt(2_000),
  REALTIME_DNS_INTERVAL_MS: positiveInt(10_000),
  /**
   * Reverse proxies (TLS terminators, load balancers) in front of the gateway, each appending to
   * X-Forwarded-For. 0 = the header is ignored; behind one proxy, 0 would put every client in one bucket.
   */
  TRUST_PROXY_HOPS: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\d{1,2}$/, 'TRUST_PROXY_HOPS must be a whole number of proxies, 0 to 10')
      .default('0')
      .transform(Number)
      .pipe(z.number().max(10, 'TRUST_PROXY_HOPS must be at most 10')),
  ),
  /**
   * Port of the internal listener for /metrics and the detailed /readyz (node addresses); never publish it.
   * Unset: no internal listener. 0: any free port (tests). The public port serves only /healthz and a bare
   * /readyz.
   */
  INTERNAL_PORT: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(0).max(65535).optional()),
  /** Interface of the internal listener (default: HOST). */
  INTERNAL_HOST: z.preprocess(unsetIfEmpty, z.string().optional()),
  FRONTEND_DIR: z.preprocess(unsetIfEmpty, z.string().optional()),
  BODY_LIMIT_BYTES: positiveInt(100 * 1024),
  /** Idle time allowed on an upstream REST request before the gateway answers 503. */
  PROXY_TIMEOUT_MS: positiveInt(15_000),
  /** Socket.IO long-polling holds a request for up to pingInterval (25 s), so this one is longer. */
  REALTIME_PROXY_TIMEOUT_MS: positiveInt(60_000),
  /** Prefix of the rate-limit buckets, so separate deployments (or test runs) sharing a Redis don't collide. */
  RATE_LIMIT_NAMESPACE: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^[\w-]{0,64}$/)
      .default(''),
  ),
  RATE_LIMIT_LOGIN_PER_IP: positiveInt(20),
  /** Failed or not, per (username, client IP): the owner's own address keeps its budget under attack. */
  RATE_LIMIT_LOGIN_PER_USERNAME_IP: positiveInt(5),
  /** Per username from every address: a ceiling on distributed guessing, high enough not to lock out. */
  RATE_LIMIT_LOGIN_PER_USERNAME: positiveInt(100),
  RATE_LIMIT_LOGIN_WINDOW_MS: positiveInt(15 * 60_000),
  RATE_LIMIT_SIGNUP_PER_IP: positiveInt(10),
  RATE_LIMIT_SIGNUP_PER_USERNAME: positiveInt(5),
  RATE_LIMIT_SIGNUP_WINDOW_MS: positiveInt(60 * 60_000),
  RATE_LIMIT_API_PER_USER: positiveInt(300),
  RATE_LIMIT_API_WINDOW_MS: positiveInt(60_000),
});

export type Config = z.output<typeof configSchema>;
