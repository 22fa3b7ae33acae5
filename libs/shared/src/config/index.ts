export { amqpNamespace, logLevel, nodeEnv, port, redisPrefix, secret, url } from './fragments.js';
export { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';
