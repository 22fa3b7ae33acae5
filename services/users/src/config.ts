import * as env from '@chat/shared/config';
import { z } from 'zod';

/** Every environment variable the users service reads; parsed once by `loadConfig`. */
export const configSchema = z.object({
  NODE_ENV: env.nodeEnv,
  LOG_LEVEL: env.logLevel,
  PORT: env.port(5002),
  HOST: env.host(),
  MONGO_URL: env.url('mongodb://127.0.0.1:27017'),
  MONGO_DB: env.dbName('users'),
  REDIS_URL: env.url('redis://127.0.0.1:6379'),
  REDIS_PREFIX: env.redisPrefix,
  AMQP_URL: env.url('amqp://guest:guest@127.0.0.1:5672'),
  AMQP_NAMESPACE: env.amqpNamespace,
  INTERNAL_TOKEN_SECRET: env.secret('dev-only-internal-secret-change-me-0000'),
});

export type Config = z.output<typeof configSchema>;
