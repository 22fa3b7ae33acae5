import { loadConfigOrExit } from '@chat/shared/config';
import { installShutdown } from '@chat/shared/http';
import { createLogger } from '@chat/shared/logger';
import { createApp } from './app.js';
import { configSchema } from './config.js';

const config = loadConfigOrExit('gateway', configSchema);
const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
const app = createApp(config, { logger });
const { url, internalUrl } = await app.start();
logger.info({ url, internalUrl }, 'gateway ready');
installShutdown(() => app.stop(), logger);
