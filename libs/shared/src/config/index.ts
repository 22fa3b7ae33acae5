export { amqpNamespace, logLevel, nodeEnv, port, secret, url } from './fragments.js';
export { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';
