import { QUEUES } from '@chat/shared/events';
import { createHttpService, createServiceApp, type ServiceApp } from '@chat/shared/http';
import { createLogger, type Logger } from '@chat/shared/logger';
import { createBroker } from '@chat/shared/messaging';
import { connectMongo, pingMongo } from '@chat/shared/mongo';
import { createRedis, pingRedis, readPresence } from '@chat/shared/redis';
import type { Config } from './config.js';
import { registerUserModel } from './data-access/user.model.js';
import { createUserRepository } from './data-access/user.repository.js';
import { mountUsersRoutes } from './entry-points/http/users.routes.js';
import { consumeUserRegistered } from './entry-points/messaging/user-registered.consumer.js';

export interface AppOverrides {
  logger?: Logger;
  /** Queue names; tests give each app its own so parallel files don't compete for events. */
  queues?: { userRegistered?: string };
}

export type App = ServiceApp;

const BROKER_CONNECT_WAIT_MS = 3_000;

/** Assemble the users service; nothing connects until start(). */
export function createApp(config: Config, overrides: AppOverrides = {}): App {
  const logger = overrides.logger ?? createLogger({ service: 'users', level: config.LOG_LEVEL });
  const queue = overrides.queues?.userRegistered ?? QUEUES.usersUserRegistered;

  return createServiceApp({
    name: 'users',
    logger,
    port: config.PORT,
    host: config.HOST,
    async build(onClose) {
      const connection = await connectMongo(config.MONGO_URL, config.MONGO_DB);
      onClose(() => connection.close());
      const model = registerUserModel(connection);
      await model.init();
      const users = createUserRepository(model);
      const redis = createRedis(config.REDIS_URL, { logger, name: 'users' });
      onClose(() => redis.quit().catch(() => redis.disconnect()));
      const broker = createBroker({
        url: config.AMQP_URL,
        namespace: config.AMQP_NAMESPACE,
        logger,
        name: 'users',
      });
      onClose(() => broker.close());
      // Bounded: with the broker up, the consumer's queue exists once start() returns; with it down, the
      // service still starts (not ready) and catches up when the broker is back.
      await broker
        .waitForConnect(BROKER_CONNECT_WAIT_MS)
        .catch((err: unknown) => logger.warn({ err }, 'broker not reachable yet; starting without it'));
      const consumer = await consumeUserRegistered(broker, { queue, users, logger });
      onClose(() => consumer.cancel());
      return createHttpService({
        name: 'users',
        logger,
        readiness: {
          mongo: () => pingMongo(connection),
          redis: () => pingRedis(redis),
          broker: () => {
            if (!broker.isConnected()) throw new Error('broker not connected');
          },
        },
        routes: (app) =>
          mountUsersRoutes(app, {
            internalTokenSecret: config.INTERNAL_TOKEN_SECRET,
            users,
            readPresence: (ids) => readPresence(redis, ids),
          }),
      });
    },
  });
}
