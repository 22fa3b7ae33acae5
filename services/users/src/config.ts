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

/** Every environment variable the users service reads; parsed once by `loadConfig`. */
export const configSchema = z.object({
  NODE_ENV: nodeEnv,
  LOG_LEVEL: logLevel,
  PORT: port(5002),
  HOST: host(),
  MONGO_URL: url('mongodb://127.0.0.1:27017'),
  MONGO_DB: dbName('users'),
  REDIS_URL: url('redis://127.0.0.1:6379'),
  REDIS_PREFIX: redisPrefix,
  AMQP_URL: url('amqp://guest:guest@127.0.0.1:5672'),
  AMQP_NAMESPACE: amqpNamespace,
  INTERNAL_TOKEN_SECRET: secret('dev-only-internal-secret-change-me-0000'),
});

export type Config = z.output<typeof configSchema>;
