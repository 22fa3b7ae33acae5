import * as env from '@chat/shared/config';
import { z } from 'zod';

export const configSchema = z.object({
  NODE_ENV: env.nodeEnv,
  LOG_LEVEL: env.logLevel,
  PORT: env.port(5000),
  HOST: env.host(),
  REDIS_URL: env.url('redis://127.0.0.1:6379'),
  REDIS_PREFIX: env.redisPrefix,
  JWT_SECRET: env.secret('dev-only-jwt-secret-change-me-000000000'),
  INTERNAL_TOKEN_SECRET: env.secret('dev-only-internal-secret-change-me-0000'),
  CORS_ORIGINS: env.corsOrigins,
  /**
   * Each REST upstream: a comma list of replicas, or one URL whose hostname resolves (DNS) to every replica
   * (a compose service scaled up, a headless Kubernetes Service). Requests are spread round-robin.
   */
  AUTH_URL: env.originList('http://127.0.0.1:5001'),
  USERS_URL: env.originList('http://127.0.0.1:5002'),
  MESSAGES_URL: env.originList('http://127.0.0.1:5003'),
  UPSTREAM_HEALTH_INTERVAL_MS: env.milliseconds(2_000),
  UPSTREAM_DNS_INTERVAL_MS: env.milliseconds(10_000),
  /** A comma list of nodes, or one URL whose hostname resolves (DNS) to every node. */
  REALTIME_URLS: env.originList('http://127.0.0.1:5004'),
  REALTIME_HEALTH_INTERVAL_MS: env.milliseconds(2_000),
  REALTIME_DNS_INTERVAL_MS: env.milliseconds(10_000),
  /**
   * Reverse proxies (TLS terminators, load balancers) in front of the gateway, each appending to
   * X-Forwarded-For. 0 = the header is ignored; behind one proxy, 0 would put every client in one bucket.
   */
  TRUST_PROXY_HOPS: env.emptyAsUnset(
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
  INTERNAL_PORT: env.emptyAsUnset(z.coerce.number().int().min(0).max(65535).optional()),
  /** Interface of the internal listener (default: HOST). */
  INTERNAL_HOST: env.emptyAsUnset(z.string().optional()),
  FRONTEND_DIR: env.emptyAsUnset(z.string().optional()),
  BODY_LIMIT_BYTES: env.count(100 * 1024),
  /** Idle time allowed on an upstream REST request before the gateway answers 503. */
  PROXY_TIMEOUT_MS: env.milliseconds(15_000),
  /** Socket.IO long-polling holds a request for up to pingInterval (25 s), so this one is longer. */
  REALTIME_PROXY_TIMEOUT_MS: env.milliseconds(60_000),
  RATE_LIMIT_NAMESPACE: env.rateLimitNamespace,
  RATE_LIMIT_LOGIN_PER_IP: env.count(20),
  /** Failed or not, per (username, client IP): the owner's own address keeps its budget under attack. */
  RATE_LIMIT_LOGIN_PER_USERNAME_IP: env.count(5),
  /** Per username from every address: a ceiling on distributed guessing, high enough not to lock out. */
  RATE_LIMIT_LOGIN_PER_USERNAME: env.count(100),
  RATE_LIMIT_LOGIN_WINDOW_MS: env.milliseconds(15 * 60_000),
  RATE_LIMIT_SIGNUP_PER_IP: env.count(10),
  RATE_LIMIT_SIGNUP_PER_USERNAME: env.count(5),
  RATE_LIMIT_SIGNUP_WINDOW_MS: env.milliseconds(60 * 60_000),
  RATE_LIMIT_API_PER_USER: env.count(300),
  RATE_LIMIT_API_WINDOW_MS: env.milliseconds(60_000),
});

export type Config = z.output<typeof configSchema>;
