import type { z } from 'zod';
import { loadConfigOrExit } from '../config/index.js';
import { createLogger, type Logger } from '../logger/index.js';
import type { ServiceApp } from './service-app.js';
import { installShutdown } from './shutdown.js';

/**
 * A service process: its configuration from the environment (one line per problem and exit 1 when it is
 * wrong), its logger, the app started and announced as `<name> ready` with its addresses and `details`, and
 * SIGTERM/SIGINT turned into a graceful stop.
 */
export async function runService<S extends z.ZodType<{ LOG_LEVEL: string }>>(
  name: string,
  schema: S,
  createApp: (config: Readonly<z.output<S>>, overrides: { logger: Logger }) => ServiceApp,
  details: (config: Readonly<z.output<S>>) => Record<string, unknown> = () => ({}),
): Promise<void> {
  const config = loadConfigOrExit(name, schema);
  const logger = createLogger({ service: name, level: config.LOG_LEVEL });
  const app = createApp(config, { logger });
  const { url, internalUrl } = await app.start();
  logger.info(
    { url, ...(internalUrl === undefined ? {} : { internalUrl }), ...details(config) },
    `${name} ready`,
  );
  installShutdown(() => app.stop(), logger);
}
