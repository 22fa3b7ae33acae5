import { QUEUES } from '@chat/shared/events';
import { createHttpService, createServiceApp, type ServiceApp } from '@chat/shared/http';
import type { Logger } from '@chat/shared/logger';
import { brokerReadiness, startPublishingBroker, waitForBroker } from '@chat/shared/messaging';
import { connectMongo, OUTBOX_LEASE_MS, pingMongo, relayLease } from '@chat/shared/mongo';
import type { Config } from './config.js';
import { registerConversationModel } from './data-access/conversation.model.js';
import {
  type ConversationRepository,
  createConversationRepository,
} from './data-access/conversation.repository.js';
import { registerKnownUserModel } from './data-access/known-user.model.js';
import { createKnownUserRepository } from './data-access/known-user.repository.js';
import { registerMessageModel } from './data-access/message.model.js';
import { createMessageRepository, type MessageRepository } from './data-access/message.repository.js';
import { createOutboxStore } from './data-access/message-outbox.store.js';
import {
  createConversationOutboxRepository,
  createMessageOutboxRepository,
} from './data-access/outbox.repository.js';
import { createKeyedSerializer } from './domain/keyed-serializer.js';
import { createReadOutboxWatch } from './domain/read-outbox-watch.js';
import { mountConversationsRoutes } from './entry-points/http/conversations.routes.js';
import { mountMessagesRoutes } from './entry-points/http/messages.routes.js';
import { consumeUserBlockChanges } from './entry-points/messaging/user-block.consumer.js';
import { consumeUserRegistered } from './entry-points/messaging/user-registered.consumer.js';

export interface AppOverrides {
  logger?: Logger;
  /** Queue names; tests give each app its own so parallel files don't compete for events. */
  queues?: { userRegistered?: string; userBlocked?: string; userUnblocked?: string };
  /** Outbox relay timing (tests shorten the backoff); `leaseMs`: how long a replica's claim holds. */
  outbox?: { intervalMs?: number; retryBaseMs?: number; maxBackoffMs?: number; leaseMs?: number };
}

export type App = ServiceApp;

/** Assemble the messages service; nothing connects until start(). */
export function createApp(config: Config, overrides: AppOverrides = {}): App {
  const queue = overrides.queues?.userRegistered ?? QUEUES.messagesUserRegistered;
  const blockQueues = {
    blocked: overrides.queues?.userBlocked ?? QUEUES.messagesUserBlocked,
    unblocked: overrides.queues?.userUnblocked ?? QUEUES.messagesUserUnblocked,
  };

  return createServiceApp({
    name: 'messages',
    config,
    logger: overrides.logger,
    async build({ logger, onClose }) {
      const connection = await connectMongo(config.MONGO_URL, config.MONGO_DB, onClose);
      const models = [
        registerKnownUserModel(connection),
        registerConversationModel(connection),
        registerMessageModel(connection),
      ] as const;
      await Promise.all(models.map((m) => m.init()));
      const [knownUserModel, conversationModel, messageModel] = models;
      const knownUsers = createKnownUserRepository(knownUserModel);
      const reads = createReadOutboxWatch();
      const repository = createConversationRepository(conversationModel);
      // Read marks are the only writes that queue events in a conversation: the relay watches them.
      const conversations: ConversationRepository = {
        ...repository,
        markRead: (read) => reads.around(() => repository.markRead(read)),
      };
      // Replicas share the database: each relay leases what it publishes, and a send hands its message
      // to this process's relay under a second owner name, so the relay's own database look skips it.
      const { leaseMs = OUTBOX_LEASE_MS, ...relayTiming } = overrides.outbox ?? {};
      const lease = relayLease(leaseMs);
      const handOverOwner = `${lease.owner}:handed`;
      const outbox = createOutboxStore({
        messages: createMessageOutboxRepository(messageModel, lease),
        conversations: createConversationOutboxRepository(conversationModel, lease),
        reads,
        handOverOwner,
      });
      const repositoryOfMessages = createMessageRepository(messageModel, {
        owner: handOverOwner,
        leaseMs,
        take: (message, correlationId) => outbox.handOver(message, correlationId),
      });
      const messages: MessageRepository = {
        ...repositoryOfMessages,
        // A deleted message's creation must not go out with its text from memory: the database copy decides.
        erase: async (...args) => {
          await outbox.forget(args[0]);
          return repositoryOfMessages.erase(...args);
        },
      };

      // Registered before the relay, so it runs after the relay stopped (and before MongoDB closes).
      onClose(() => outbox.close());
      const { broker, relay } = startPublishingBroker({
        broker: { url: config.AMQP_URL, namespace: config.AMQP_NAMESPACE, logger, name: 'messages' },
        store: outbox,
        relay: relayTiming,
        onClose,
      });
      await waitForBroker(broker, logger);
      const consumer = await consumeUserRegistered(broker, { queue, knownUsers, logger });
      onClose(() => consumer.cancel());
      const blockConsumers = await consumeUserBlockChanges(broker, {
        queues: blockQueues,
        conversations,
        logger,
      });
      onClose(() => Promise.all(blockConsumers.map((c) => c.cancel())));

      return createHttpService({
        name: 'messages',
        logger,
        // Replies are fresh state (a stored message, a page of history), never revalidated by clients.
        etag: false,
        readiness: {
          mongo: () => pingMongo(connection),
          broker: brokerReadiness(broker),
        },
        routes: (app) => {
          const deps = {
            internalTokenSecret: config.INTERNAL_TOKEN_SECRET,
            messages,
            conversations,
            knownUsers,
            notifyOutbox: () => {
              outbox.changed();
              relay.wake();
            },
            wakeOutbox: () => relay.wake(),
            sendOrder: createKeyedSerializer(),
          };
          mountConversationsRoutes(app, deps);
          mountMessagesRoutes(app, deps);
        },
      });
    },
  });
}
