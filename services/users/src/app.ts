import { QUEUES } from '@chat/shared/events';
import {
  createHttpService,
  createServiceApp,
  type HttpService,
  type ServiceApp,
  type ServiceContext,
} from '@chat/shared/http';
import type { Logger } from '@chat/shared/logger';
import {
  brokerReadiness,
  type OutboxRelayOptions,
  startPublishingBroker,
  waitForBroker,
} from '@chat/shared/messaging';
import { connectMongo, pingMongo, relayLease } from '@chat/shared/mongo';
import { createRedis, pingRedis, readPresence } from '@chat/shared/redis';
import type { Config } from './config.js';
import { registerBlockModel } from './data-access/block.model.js';
import { createBlockRepository } from './data-access/block.repository.js';
import { createBlockOutboxStore } from './data-access/block-outbox.repository.js';
import { registerUserModel } from './data-access/user.model.js';
import { createUserRepository } from './data-access/user.repository.js';
import { backfillSearchTerms } from './domain/backfill-search-terms.js';
import { mountBlockRoutes } from './entry-points/http/block.routes.js';
import { mountUsersRoutes } from './entry-points/http/users.routes.js';
import { consumeUserRegistered } from './entry-points/messaging/user-registered.consumer.js';

export interface AppOverrides {
  logger?: Logger;
  /** Queue names; tests give each app its own so parallel files don't compete for events. */
  queues?: { userRegistered?: string };
  /** Outbox relay timing (tests shorten the poll and the backoff). */
  outbox?: Pick<OutboxRelayOptions, 'intervalMs' | 'retryBaseMs' | 'maxBackoffMs'>;
}

export type App = ServiceApp;

/** Opens Mongo (indexes built), Redis, the broker and the block-event relay, registering each closer. */
async function connectDependencies(
  { config, logger, onClose }: ServiceContext<Config>,
  overrides: AppOverrides,
) {
  const connection = await connectMongo(config.MONGO_URL, config.MONGO_DB, onClose);
  const userModel = registerUserModel(connection);
  const blockModel = registerBlockModel(connection);
  // The pair's unique index must exist before the first block, or two racing first blocks could both insert.
  await Promise.all([userModel.init(), blockModel.init()]);
  const users = createUserRepository(userModel);
  // Users stored before prefix search existed get their terms before the directory is served.
  await backfillSearchTerms(users);
  const redis = createRedis(config.REDIS_URL, {
    logger,
    name: 'users',
    prefix: config.REDIS_PREFIX,
    onClose,
  });
  const { broker, relay } = startPublishingBroker({
    broker: { url: config.AMQP_URL, namespace: config.AMQP_NAMESPACE, logger, name: 'users' },
    // Replicas share the database: each relay leases the pairs it publishes, so none is published twice.
    store: createBlockOutboxStore(blockModel, relayLease()),
    relay: overrides.outbox,
    onClose,
  });
  return {
    connection,
    redis,
    broker,
    relay,
    users,
    blocks: createBlockRepository(blockModel),
  };
}

async function buildService(ctx: ServiceContext<Config>, overrides: AppOverrides): Promise<HttpService> {
  const { config, logger, onClose } = ctx;
  const { connection, redis, broker, relay, users, blocks } = await connectDependencies(ctx, overrides);
  await waitForBroker(broker, logger);
  const queue = overrides.queues?.userRegistered ?? QUEUES.usersUserRegistered;
  const consumer = await consumeUserRegistered(broker, { queue, users, logger });
  onClose(() => consumer.cancel());
  const internalTokenSecret = config.INTERNAL_TOKEN_SECRET;
  return createHttpService({
    name: 'users',
    logger,
    readiness: {
      mongo: () => pingMongo(connection),
      redis: () => pingRedis(redis),
      broker: brokerReadiness(broker),
    },
    routes: (app) => {
      mountUsersRoutes(app, {
        internalTokenSecret,
        users,
        blocks,
        readPresence: (ids) => readPresence(redis, ids),
      });
      mountBlockRoutes(app, { internalTokenSecret, users, blocks, onChanged: () => relay.wake() });
    },
  });
}

/** The users service: `start()` connects everything and listens; `stop()` closes all of it. */
export function createApp(config: Config, overrides: AppOverrides = {}): App {
  return createServiceApp({
    name: 'users',
    config,
    logger: overrides.logger,
    build: (ctx) => buildService(ctx, overrides),
  });
}
