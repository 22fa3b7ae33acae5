export { amqpNamespace, logLevel, nodeEnv, port, secret, url } from './fragments.js';
export { ConfigError, loadConfig } from './load-config.js';
