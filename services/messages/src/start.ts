import { loadConfigOrExit } from '@chat/shared/config';
import { installShutdown } from '@chat/shared/http';
import { createLogger } from '@chat/shared/logger';
import { createApp } from './app.js';
import { configSchema } from './config.js';

const config = loadConfigOrExit('messages', configSchema);
const logger = createLogger({ service: 'messages', level: config.LOG_LEVEL });
const app = createApp(config, { logger });
const { url } = await app.start();
logger.info({ url }, 'messages service ready');
installShutdown(() => app.stop(), logger);
