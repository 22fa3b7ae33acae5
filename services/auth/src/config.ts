import * as env from '@chat/shared/config';
import { z } from 'zod';

export const configSchema = z.object({
  NODE_ENV: env.nodeEnv,
  LOG_LEVEL: env.logLevel,
  PORT: env.port(5001),
  HOST: env.host(),
  MONGO_URL: env.url('mongodb://127.0.0.1:27017'),
  MONGO_DB: env.dbName('auth'),
  REDIS_URL: env.url('redis://127.0.0.1:6379'),
  REDIS_PREFIX: env.redisPrefix,
  AMQP_URL: env.url('amqp://guest:guest@127.0.0.1:5672'),
  AMQP_NAMESPACE: env.amqpNamespace,
  JWT_SECRET: env.secret('dev-only-jwt-secret-change-me-000000000'),
  INTERNAL_TOKEN_SECRET: env.secret('dev-only-internal-secret-change-me-0000'),
  // Below 10 rounds bcrypt is too cheap to slow down an offline attack on a leaked hash.
  BCRYPT_COST: z.coerce.number().int().min(10).max(15).default(12),
});

export type Config = z.output<typeof configSchema>;
