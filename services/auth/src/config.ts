import {
  amqpNamespace,
  dbName,
  host,
  logLevel,
  nodeEnv,
  port,
  redisPrefix,
  secret,
  url,
} from '@chat/shared/config';
import { z } from 'zod';

export const configSchema = z.object({
  NODE_ENV: nodeEnv,
  LOG_LEVEL: logLevel,
  PORT: port(5001),
  HOST: host(),
  MONGO_URL: url('mongodb://127.0.0.1:27017'),
  MONGO_DB: dbName('auth'),
  REDIS_URL: url('redis://127.0.0.1:6379'),
  REDIS_PREFIX: redisPrefix,
  AMQP_URL: url('amqp://guest:guest@127.0.0.1:5672'),
  AMQP_NAMESPACE: amqpNamespace,
  JWT_SECRET: secret('dev-only-jwt-secret-change-me-000000000'),
  INTERNAL_TOKEN_SECRET: secret('dev-only-internal-secret-change-me-0000'),
  // Below 10 rounds bcrypt is too cheap to slow down an offline attack on a leaked hash.
  BCRYPT_COST: z.coerce.number().int().min(10).max(15).default(12),
});

export type Config = z.output<typeof configSchema>;
