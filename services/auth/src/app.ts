import { issueTimeFor, revokeToken, revokeUserTokens } from '@chat/shared/auth';
import {
  createHttpService,
  createServiceApp,
  type HttpService,
  type ServiceApp,
  type ServiceContext,
} from '@chat/shared/http';
import type { Logger } from '@chat/shared/logger';
import { brokerReadiness, startPublishingBroker } from '@chat/shared/messaging';
import { connectMongo, pingMongo, relayLease } from '@chat/shared/mongo';
import { createRedis, pingRedis } from '@chat/shared/redis';
import type { Config } from './config.js';
import { createBcryptPasswordHasher } from './data-access/bcrypt-password-hasher.js';
import { createUserOutboxStore } from './data-access/outbox.repository.js';
import { createUserModel } from './data-access/user.model.js';
import { createUserRepository } from './data-access/user.repository.js';
import { createAuthRouter } from './entry-points/http/auth.routes.js';
import { createAvatarRouter } from './entry-points/http/avatar.routes.js';

export interface AppOverrides {
  logger?: Logger;
  /** Outbox relay poll interval (tests shorten it). */
  outboxIntervalMs?: number;
}

export type App = ServiceApp;

/** Opens Mongo (indexes built), Redis, the broker and the outbox relay, registering each one's closer. */
async function connectDependencies(
  { config, logger, onClose }: ServiceContext<Config>,
  overrides: AppOverrides,
) {
  const connection = await connectMongo(config.MONGO_URL, config.MONGO_DB, onClose);
  const userModel = createUserModel(connection);
  // The unique username index must exist before the first signup, or a race could create two accounts.
  await userModel.init();

  const redis = createRedis(config.REDIS_URL, { logger, name: 'auth', prefix: config.REDIS_PREFIX, onClose });
  const { broker, relay } = startPublishingBroker({
    broker: { url: config.AMQP_URL, namespace: config.AMQP_NAMESPACE, logger, name: 'auth' },
    // Replicas share the database: each relay leases the accounts it publishes, so none is published twice.
    store: createUserOutboxStore(userModel, relayLease()),
    relay: overrides.outboxIntervalMs === undefined ? {} : { intervalMs: overrides.outboxIntervalMs },
    onClose,
  });
  return { connection, userModel, redis, broker, relay };
}

async function buildService(ctx: ServiceContext<Config>, overrides: AppOverrides): Promise<HttpService> {
  const { config, logger } = ctx;
  const { connection, userModel, redis, broker, relay } = await connectDependencies(ctx, overrides);
  const authRouter = createAuthRouter({
    config,
    users: createUserRepository(userModel),
    passwords: await createBcryptPasswordHasher(config.BCRYPT_COST),
    onRegistered: () => relay.wake(),
    revoke: (claims) => revokeToken(redis, claims),
    revokeAll: async (userId) => {
      await revokeUserTokens(redis, userId);
    },
    issueTime: (userId) => issueTimeFor(redis, userId),
  });
  return createHttpService({
    name: 'auth',
    logger,
    readiness: {
      mongo: () => pingMongo(connection, 2_000),
      redis: () => pingRedis(redis),
      broker: brokerReadiness(broker),
    },
    routes: (app) => {
      app.use('/api/auth', createAvatarRouter(), authRouter);
    },
  });
}

/** The auth service: `start()` connects everything and listens; `stop()` closes all of it. */
export function createApp(config: Config, overrides: AppOverrides = {}): App {
  return createServiceApp({
    name: 'auth',
    config,
    logger: overrides.logger,
    build: (ctx) => buildService(ctx, overrides),
  });
}
