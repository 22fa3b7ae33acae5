import { loadConfigOrExit } from '@chat/shared/config';
import { installShutdown } from '@chat/shared/http';
import { createLogger } from '@chat/shared/logger';
import { createApp } from './app.js';
import { configSchema } from './config.js';

const config = loadConfigOrExit('realtime', configSchema);
const logger = createLogger({ service: 'realtime', level: config.LOG_LEVEL });
const app = createApp(config, { logger });
const { url } = await app.start();
logger.info({ url, nodeId: config.NODE_ID }, 'realtime started');
installShutdown(() => app.stop(), logger);
