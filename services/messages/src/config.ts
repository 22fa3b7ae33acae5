import { amqpNamespace, dbName, host, logLevel, nodeEnv, port, secret, url } from '@chat/shared/config';
import { z } from 'zod';

/** Every environment variable the messages service reads; parsed once by `loadConfig`. */
export const configSchema = z.object({
  NODE_ENV: nodeEnv,
  LOG_LEVEL: logLevel,
  PORT: port(5003),
  HOST: host(),
  MONGO_URL: url('mongodb://127.0.0.1:27017'),
  MONGO_DB: dbName('messages'),
  AMQP_URL: url('amqp://guest:guest@127.0.0.1:5672'),
  AMQP_NAMESPACE: amqpNamespace,
  INTERNAL_TOKEN_SECRET: secret('dev-only-internal-secret-change-me-0000'),
});

export type Config = z.output<typeof configSchema>;
