export {
  amqpNamespace,
  corsOrigins,
  count,
  dbName,
  emptyAsUnset,
  host,
  logLevel,
  milliseconds,
  nodeEnv,
  originList,
  port,
  type Range,
  rateLimitNamespace,
  redisPrefix,
  secret,
  url,
} from './fragments.js';
export { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';
