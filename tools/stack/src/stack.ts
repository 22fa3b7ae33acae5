import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedMongo } from '@chat/embedded-mongo';
import { deleteKeysUnder } from '@chat/shared/redis';
import { Redis } from 'ioredis';
import { freePortRange } from './ports.js';
import { assertReachable, infrastructure } from './reachability.js';
import {
  type ServiceProcess,
  type ServiceSpec,
  spawnService,
  stopService,
  waitUntilReady,
} from './service-process.js';

export { freePort, freePortRange } from './ports.js';
export { assertReachable, infrastructure, isReachable } from './reachability.js';
export type { ServiceProcess, ServiceSpec } from './service-process.js';

import { TIERS, type Tier } from './shape.js';

export { parseShape, type Shape, TIERS, type Tier } from './shape.js';
/** One of each, and two realtime nodes. */
export const DEFAULT_REPLICAS: Readonly<Record<Tier, number>> = {
  gateway: 1,
  auth: 1,
  users: 1,
  messages: 1,
  realtime: 2,
};

/**
 * The shape the replicated test projects run the e2e suites and fault scenarios on (STACK_SHAPE=replicated):
 * two of every stateless tier, three realtime nodes, message.created over four queues.
 */
export const REPLICATED_SHAPE: { replicas: Record<Tier, number>; env: Record<string, string> } = {
  replicas: { gateway: 2, auth: 2, users: 2, messages: 2, realtime: 3 },
  env: { DELIVERY_QUEUES: '4' },
};

/** True in the test projects that run on REPLICATED_SHAPE (STACK_SHAPE=replicated). */
export function testsRunReplicated(): boolean {
  return process.env.STACK_SHAPE === 'replicated';
}

/**
 * Defines the scenarios of `define` only in the default-shape test projects: scenarios about one process of
 * a tier (a service killed mid-write, Redis cut under two nodes…) are not part of the replicated projects,
 * which run the broker cut and the node kill again on every tier replicated.
 */
export function onDefaultShapeOnly(define: () => void): void {
  if (!testsRunReplicated()) define();
}

/** The shape a test asks for, or REPLICATED_SHAPE when the test project sets STACK_SHAPE=replicated. */
export function shapeForTests(realtimeNodes: number): {
  replicas: Partial<Record<Tier, number>>;
  env: Record<string, string>;
} {
  if (testsRunReplicated()) return REPLICATED_SHAPE;
  return { replicas: { realtime: realtimeNodes }, env: {} };
}

export interface StackOptions {
  /**
   * First gateway port; 0 picks free ports for every service. Default 5000: the other gateways take the next
   * ports, then auth, users, messages and the realtime nodes (one of each: 5001…5003, realtime 5004, 5005).
   */
  gatewayPort?: number;
  /** Processes per tier (defaults: DEFAULT_REPLICAS). */
  replicas?: Partial<Record<Tier, number>>;
  /** Shorthand for `replicas.realtime`. */
  realtimeNodes?: number;
  redisUrl?: string;
  amqpUrl?: string;
  /** MongoDB server; when unset an embedded MongoDB-wire-compatible server is started. */
  mongoUrl?: string;
  /** Prefix of the three database names (e.g. `test-e2e-x-` → `test-e2e-x-auth`). */
  databasePrefix?: string;
  /** REDIS_PREFIX of every service: keys and channels of this stack. Default: see {@link defaultRedisPrefix}. */
  redisPrefix?: string;
  /**
   * Delete every key under the prefix once the stack stopped, for a stack whose keys nothing reads again.
   * Default: as {@link defaultRedisPrefix} says for a prefix the stack chose, false for a given one.
   */
  discardRedisKeys?: boolean;
  /** Extra environment for every service (secrets, log level, namespaces…). */
  env?: Record<string, string>;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface RunningStack {
  /** Where a browser or client reaches the chat (the first gateway). */
  url: string;
  /** Every gateway, the first one being `url`. */
  urls: string[];
  mongoUrl: string;
  services: ServiceProcess[];
  /**
   * Finds a running service by name: `gateway`, `auth`, `users`, `messages` (the first replica; the others
   * are `gateway-2`, `messages-2`, …) and `realtime-1`, `realtime-2`, ….
   */
  service(name: string): ServiceProcess;
  /**
   * Spawns `spec` as one more process of this stack (same log, stopped with the others) and waits until it
   * is ready. It takes the place of the service of the same name (a replacement of a killed one), if any.
   */
  spawn(spec: ServiceSpec): Promise<ServiceProcess>;
  /** The REDIS_PREFIX of every service of this stack. */
  redisPrefix: string;
  /** Stops every service (gateway first) and the embedded MongoDB, if any, then discards its Redis keys (see `discardRedisKeys`). */
  stop(): Promise<void>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The Redis prefix of a stack started without one, so stacks sharing a Redis (tests, a bench, `npm start`)
 * never cross-talk. Over an embedded MongoDB (data gone at stop) it is unique per run and its keys are
 * deleted at stop. Over a `mongoUrl` it is the same for every run on that server and database prefix, and
 * kept: statuses, held messages and sync sequences belong with the data they describe and outlive a restart
 * as the data does, and two stacks sharing the databases share them too.
 */
export function defaultRedisPrefix(mongo: { mongoUrl?: string; databasePrefix?: string }): {
  prefix: string;
  discard: boolean;
} {
  if (!mongo.mongoUrl) return { prefix: `stack-${randomBytes(4).toString('hex')}:`, discard: true };
  const data = createHash('sha1')
    .update(`${mongo.mongoUrl}\n${mongo.databasePrefix ?? ''}`)
    .digest('hex');
  return { prefix: `stack-${data.slice(0, 8)}:`, discard: false };
}

/** Deletes a stopped stack's Redis keys; a Redis that cannot be reached leaves them to their expiry. */
async function discardKeys(redisUrl: string, prefix: string, log: (line: string) => void): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await deleteKeysUnder(redis, prefix);
  } catch (error) {
    log(
      `redis keys under ${prefix} left to expire: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    redis.disconnect();
  }
}

/** Starts the whole chat locally: every service as its own process, N realtime nodes, one gateway. */
export async function startStack(opts: StackOptions = {}): Promise<RunningStack> {
  const redisUrl = opts.redisUrl ?? 'redis://127.0.0.1:6379';
  const amqpUrl = opts.amqpUrl ?? 'amqp://guest:guest@127.0.0.1:5672';
  await assertReachable(infrastructure(redisUrl, amqpUrl));
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const mongo = opts.mongoUrl ? undefined : await startEmbeddedMongo();
  const mongoUrl = opts.mongoUrl ?? mongo?.uri ?? '';
  const replicas = replicaCounts(opts);
  const chosen = opts.redisPrefix === undefined ? defaultRedisPrefix(opts) : undefined;
  const redisPrefix = opts.redisPrefix ?? chosen?.prefix ?? '';
  const discardRedisKeys = opts.discardRedisKeys ?? chosen?.discard ?? false;
  const total = TIERS.reduce((sum, tier) => sum + replicas[tier], 0);
  const ports = await allocatePorts(opts.gatewayPort ?? 5000, total);
  const specs = serviceSpecs(
    placePorts(ports, replicas),
    {
      redisUrl,
      amqpUrl,
      mongoUrl,
      prefix: opts.databasePrefix ?? '',
      redisPrefix,
    },
    opts.env,
  );
  const services: ServiceProcess[] = [];
  const stop = async () => {
    for (const service of [...services].reverse()) await stopService(service);
    await mongo?.stop();
    if (discardRedisKeys) await discardKeys(redisUrl, redisPrefix, log);
  };
  try {
    const backends = specs.filter((s) => s.workspace !== 'gateway').map((s) => spawnService(root, s, log));
    services.push(...backends);
    await Promise.all(backends.map((s) => waitUntilReady(s, readyTimeoutMs)));
    const gateways = specs.filter((s) => s.workspace === 'gateway').map((s) => spawnService(root, s, log));
    services.push(...gateways);
    await Promise.all(gateways.map((s) => waitUntilReady(s, readyTimeoutMs)));
  } catch (error) {
    await stop();
    throw error;
  }
  const urls = placePorts(ports, replicas).gateway.map((port) => `http://localhost:${port}`);
  return {
    url: urls[0] ?? '',
    urls,
    mongoUrl,
    redisPrefix,
    services,
    service(name) {
      const found = services.find((s) => s.spec.name === name);
      if (!found) throw new Error(`no service named ${name}`);
      return found;
    },
    async spawn(spec) {
      const next = spawnService(root, spec, log);
      const index = services.findIndex((s) => s.spec.name === spec.name);
      if (index === -1) services.push(next);
      else services[index] = next;
      await waitUntilReady(next, readyTimeoutMs);
      return next;
    },
    stop,
  };
}

interface Endpoints {
  redisUrl: string;
  amqpUrl: string;
  mongoUrl: string;
  prefix: string;
  redisPrefix: string;
}

function replicaCounts(opts: StackOptions): Record<Tier, number> {
  const counts = { ...DEFAULT_REPLICAS, ...opts.replicas };
  if (opts.realtimeNodes !== undefined && opts.replicas?.realtime === undefined) {
    counts.realtime = opts.realtimeNodes;
  }
  for (const tier of TIERS) {
    if (!Number.isInteger(counts[tier]) || counts[tier] < 1)
      throw new Error(`${tier} needs at least 1 replica`);
  }
  return counts;
}

/** Consecutive ports, tier after tier in TIERS order (so the gateways come first). */
function placePorts(ports: readonly number[], replicas: Record<Tier, number>): Record<Tier, number[]> {
  let next = 0;
  const placed = {} as Record<Tier, number[]>;
  for (const tier of TIERS) {
    placed[tier] = ports.slice(next, next + replicas[tier]);
    next += replicas[tier];
  }
  return placed;
}

// The first replica keeps the tier's name (`messages`), the others are numbered (`messages-2`); realtime
// nodes are always numbered (`realtime-1`).
function replicaName(tier: Tier, index: number): string {
  if (tier === 'realtime') return `realtime-${index + 1}`;
  return index === 0 ? tier : `${tier}-${index + 1}`;
}

function serviceSpecs(
  ports: Record<Tier, number[]>,
  ep: Endpoints,
  extra: Record<string, string> = {},
): ServiceSpec[] {
  const urls = (tier: Tier) => ports[tier].map((p) => `http://127.0.0.1:${p}`).join(',');
  // The gateway forwards the browser's Origin on Socket.IO handshakes: the realtime nodes check it too.
  const corsOrigins =
    extra.CORS_ORIGINS ??
    ports.gateway.flatMap((p) => [`http://localhost:${p}`, `http://127.0.0.1:${p}`]).join(',');
  const common = {
    // The local stack runs on the repository's development secrets, which production (the default) refuses.
    NODE_ENV: 'development',
    REDIS_URL: ep.redisUrl,
    REDIS_PREFIX: ep.redisPrefix,
    AMQP_URL: ep.amqpUrl,
    MONGO_URL: ep.mongoUrl,
    HOST: '127.0.0.1',
    ...extra,
  };
  const envOf = (tier: Tier): Record<string, string> => {
    switch (tier) {
      case 'auth':
      case 'users':
      case 'messages':
        return { ...common, MONGO_DB: `${ep.prefix}${tier}` };
      case 'realtime':
        return { ...common, CORS_ORIGINS: corsOrigins };
      case 'gateway':
        return {
          ...common,
          AUTH_URL: urls('auth'),
          USERS_URL: urls('users'),
          MESSAGES_URL: urls('messages'),
          REALTIME_URLS: urls('realtime'),
          CORS_ORIGINS: corsOrigins,
        };
    }
  };
  // Backends first, the gateways last (they are started once the backends are ready).
  const order: Tier[] = ['auth', 'users', 'messages', 'realtime', 'gateway'];
  return order.flatMap((tier) =>
    ports[tier].map((port, i) => {
      const name = replicaName(tier, i);
      const env = envOf(tier);
      if (tier === 'realtime') env.NODE_ID = `${name}-${randomBytes(3).toString('hex')}`;
      return { name, workspace: tier, port, env };
    }),
  );
}

/** Consecutive ports from `first`, or free ones below the ephemeral range when `first` is 0. */
async function allocatePorts(first: number, count: number): Promise<number[]> {
  const from = first !== 0 ? first : await freePortRange(count);
  return Array.from({ length: count }, (_, i) => from + i);
}
