export { amqpNamespace, logLevel, nodeEnv, port, redisPrefix, secret, url } from './fragments.js';
export { ConfigError, loadConfig } from './load-config.js';
