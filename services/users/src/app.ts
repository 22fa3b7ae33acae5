import { QUEUES } from '@chat/shared/events';
import { createHttpService, type HttpService } from '@chat/shared/http';
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

export interface App {
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

type Close = () => Promise<void>;

const BROKER_CONNECT_WAIT_MS = 3_000;

async function closeAll(closers: Close[], logger: Logger): Promise<void> {
  for (const close of closers) {
    await close().catch((err: unknown) => logger.error({ err }, 'close failed'));
  }
}

/** Assemble the users service; nothing connects until start(). */
export function createApp(config: Config, overrides: AppOverrides = {}): App {
  const logger = overrides.logger ?? createLogger({ service: 'users', level: config.LOG_LEVEL });
  const queue = overrides.queues?.userRegistered ?? QUEUES.usersUserRegistered;
  let http: HttpService | undefined;
  // Filled as resources open, closed in reverse order if start() fails halfway.
  const opened: Close[] = [];

  const build = async (): Promise<HttpService> => {
    const connection = await connectMongo(config.MONGO_URL, config.MONGO_DB);
    opened.unshift(() => connection.close());
    const model = registerUserModel(connection);
    await model.init();
    const users = createUserRepository(model);
    const redis = createRedis(config.REDIS_URL, { logger, name: 'users' });
    opened.unshift(async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
    const broker = createBroker({
      url: config.AMQP_URL,
      namespace: config.AMQP_NAMESPACE,
      logger,
      name: 'users',
    });
    opened.unshift(() => broker.close());
    // Bounded: with the broker up, the consumer's queue exists once start() returns; with it down, the
    // service still starts (not ready) and catches up when the broker is back.
    await broker
      .waitForConnect(BROKER_CONNECT_WAIT_MS)
      .catch((err: unknown) => logger.warn({ err }, 'broker not reachable yet; starting without it'));
    const consumer = await consumeUserRegistered(broker, { queue, users, logger });
    opened.unshift(() => consumer.cancel());
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
      onStop: [...opened],
    });
  };

  return {
    async start() {
      if (http) throw new Error('users app already started');
      try {
        http = await build();
        return await http.start(config.PORT, config.HOST);
      } catch (err) {
        await closeAll(opened.splice(0), logger);
        http = undefined;
        throw err;
      }
    },
    async stop() {
      // http.stop() runs its own copy of the closers (after in-flight requests end).
      const closers = opened.splice(0);
      if (http) await http.stop();
      else await closeAll(closers, logger);
      http = undefined;
    },
  };
}
