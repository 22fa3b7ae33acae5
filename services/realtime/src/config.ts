import { hostname } from 'node:os';
import * as env from '@chat/shared/config';
import { MAX_DELIVERY_QUEUES, QUEUES } from '@chat/shared/events';
import { z } from 'zod';

// Every duration of a node: from 10 ms (a tight test loop) to 10 minutes.
const nodeMs = (defaultMs: number) => env.milliseconds(defaultMs, { min: 10, max: 600_000 });
const nodeCount = (defaultValue: number) => env.count(defaultValue, { max: 1_000_000_000 });

export const configSchema = z
  .object({
    NODE_ENV: env.nodeEnv,
    LOG_LEVEL: env.logLevel,
    PORT: env.port(5004),
    HOST: env.host(),
    REDIS_URL: env.url('redis://127.0.0.1:6379'),
    REDIS_PREFIX: env.redisPrefix,
    AMQP_URL: env.url('amqp://guest:guest@127.0.0.1:5672'),
    AMQP_NAMESPACE: env.amqpNamespace,
    JWT_SECRET: env.secret('dev-only-jwt-secret-change-me-000000000'),
    CORS_ORIGINS: env.corsOrigins,
    // Names this node's presence hash; must be unique among the nodes sharing a Redis.
    NODE_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, { error: 'must be 1-100 letters, digits, ".", "_" or "-"' })
      .default(`${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${process.pid}`),
    // Overridable so tests (and canaries) can consume from their own queue.
    DELIVERY_QUEUE: z.string().min(1).max(200).default(QUEUES.realtimeMessageCreated),
    // message.created split over this many queues (`<DELIVERY_QUEUE>.<k>`) by recipient, each consumed by
    // every node: one queue runs on about one broker core (docs/scaling.md). 1: the one queue DELIVERY_QUEUE.
    // Every node of a deployment must use the same count.
    DELIVERY_QUEUES: env.count(1, { max: MAX_DELIVERY_QUEUES }),
    // How Socket.IO rooms reach every node: `classic` pub/sub (every node gets every broadcast) or `sharded`
    // (Redis 7 sharded pub/sub, a channel per room: a node gets only its rooms' broadcasts; for a Redis
    // Cluster and for many nodes, see docs/scaling.md). Same value on every node.
    REDIS_ADAPTER: z.enum(['classic', 'sharded']).default('classic'),
    // Prefetch of each delivery queue's consumer.
    DELIVERY_PREFETCH: env.count(50, { max: 1000 }),
    // Prefetch of the other consumers (edits, deletions, reads, blocks).
    EVENTS_PREFETCH: env.count(50, { max: 1000 }),
    // How long an applied event id and a message's edit/deletion are remembered: redeliveries and events
    // overtaking their message.created are recognised within it.
    EVENT_MEMORY_SECONDS: env.count(86_400, { min: 60, max: 604_800 }),
    // Forwarded `typing: true` at most once per sender → recipient per window.
    TYPING_THROTTLE_MS: nodeMs(1_000),
    // A user's online score lives this long after the last refresh; a dead node's users lapse within it.
    PRESENCE_TTL_MS: nodeMs(30_000),
    PRESENCE_REFRESH_MS: nodeMs(10_000),
    PRESENCE_SWEEP_MS: nodeMs(5_000),
    // getOnlineUsers is broadcast at most once per window per node, however many users come and go.
    PRESENCE_BROADCAST_MS: nodeMs(250),
    // At most this many messages wait for a Busy user; past it the oldest leave the hold (not the history).
    HELD_LIMIT: env.count(1_000, { max: 100_000 }),
    // How often each node looks for Busy-until statuses that are due (the clock is in Redis).
    STATUS_UNTIL_POLL_MS: nodeMs(250),
    SOCKET_EVENTS_PER_SECOND: env.count(20, { max: 1000 }),
    // Sockets one user may hold at once across every node; the next handshake is refused.
    SOCKETS_PER_USER: nodeCount(20),
    // Handshakes per user and per client address (the gateway's view of it) in each window, across nodes.
    HANDSHAKES_PER_USER: nodeCount(60),
    HANDSHAKES_PER_IP: nodeCount(600),
    HANDSHAKE_WINDOW_MS: nodeMs(60_000),
    // Prefix of the handshake and status-change buckets (the gateway's setting of the same name).
    RATE_LIMIT_NAMESPACE: env.rateLimitNamespace,
    // Status changes per user (all their sockets together) in each window.
    STATUS_CHANGES_PER_USER: nodeCount(10),
    STATUS_CHANGE_WINDOW_MS: nodeMs(10_000),
    // How often each node re-checks its sockets' tokens against the deny-list (a lost revocation message).
    REVOCATION_RECHECK_MS: nodeMs(60_000),
  })
  .refine((c) => c.PRESENCE_REFRESH_MS < c.PRESENCE_TTL_MS, {
    error: 'PRESENCE_REFRESH_MS must be shorter than PRESENCE_TTL_MS',
    path: ['PRESENCE_REFRESH_MS'],
  });

export type Config = z.output<typeof configSchema>;
