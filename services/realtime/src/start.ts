import { runService } from '@chat/shared/http';
import { createApp } from './app.js';
import { configSchema } from './config.js';

await runService('realtime', configSchema, createApp, (config) => ({ nodeId: config.NODE_ID }));
